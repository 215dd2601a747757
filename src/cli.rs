//! The command line: every option of SPEC §8, parsed by clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "plaint",
    args_override_self = true,
    version,
    about = "A customer-complaint desk over plain YAML files",
    long_about = "plaint keeps each complaint as one YAML file in a git-tracked directory. \
        A rulebook (rules.yaml) grades it, names who handles it, sets every deadline on a \
        business calendar and turns late steps into itemised fines.",
    after_help = "Every command takes --desk (default $PLAINT_DESK, else the current directory) \
        and --rules (default DESK/rules.yaml, else the built-in rulebook). These, and --by, \
        --at, --as-of, --format, --quiet and --color, go before or after the command.\n\n\
        Examples:\n  plaint --desk examples/desk report --month 2026-11 --as-of 2026-11-20\n  \
        plaint --by 王芳 close 202611-0003 --reason confirmed\n  plaint man | man -l -"
)]
pub struct Cli {
    /// The desk directory (default $PLAINT_DESK, else the current directory)
    #[arg(long, global = true, value_name = "DIR")]
    pub desk: Option<PathBuf>,
    /// The rulebook to use instead of DESK/rules.yaml
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// In a git desk, write without committing the step ($PLAINT_NO_COMMIT=1 likewise)
    #[arg(long, global = true)]
    pub no_commit: bool,
    /// No confirmations on stderr ("closed 202611-0003"); warnings and errors still show
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour in tables (overdue red, due today yellow, met green): auto (a terminal, and
    /// $NO_COLOR unset), always or never
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// When tables are coloured.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless $NO_COLOR is set
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a desk: rules.yaml (the built-in rulebook) and tickets/
    #[command(
        after_help = "Examples:\n  plaint init ~/complaints                  # rules.yaml + tickets/ in a new desk\n  plaint init --clone --site KM             # in a fresh git clone of a shared desk"
    )]
    Init(InitArgs),
    /// Register a complaint; prints the new ticket ID
    #[command(
        after_help = "Examples:\n  plaint log --project 实力北岸 --name 张三 --phone 13800000000 --subject 卫生间漏水\n  plaint log --project 实力北岸 --name 张三 --phone 13800000000 --subject 电梯停运 \\
      --target 3栋电梯 --headcount 4 --at \"2026-11-02 09:30\""
    )]
    Log(LogArgs),
    /// Register complaints from a spreadsheet (.csv or .xlsx), all or nothing
    #[command(
        after_help = "Examples:\n  plaint import examples/import/complaints.xlsx --dry-run   # check every row, write nothing\n  plaint import 台账.csv --encoding gbk"
    )]
    Import(ImportArgs),
    /// Correct a ticket's intake facts (recorded as an event, never an edit)
    #[command(
        after_help = "Examples:\n  plaint amend 202611-0003 --phone 13900000000 --reason \"号码录错\""
    )]
    Amend(AmendArgs),
    /// Judge validity, type, facts or grade (customer service, §5.1.3)
    #[command(
        after_help = "Examples:\n  plaint classify 202611-0003 --valid --type 维保修\n  plaint classify 202611-0003 --grade major --reason \"业主联名投诉\"   # §5.1.3"
    )]
    Classify(ClassifyArgs),
    /// Name the responsible department and handler (§4.1.2)
    #[command(
        after_help = "Examples:\n  plaint assign 202611-0003 --handler 周工            # department from the type\n  plaint assign 202611-0003 --department 营销部 --handler 黄经理"
    )]
    Assign(AssignArgs),
    /// Record the information hand-off to customer service (§7.3, §8.1)
    #[command(
        after_help = "Examples:\n  plaint forward 202611-0003\n  plaint forward 202611-0003 --at \"2026-11-02 10:05\" --note \"电话转客服部\""
    )]
    Forward(NoteArgs),
    /// Record the first response to the customer (§4.1.1)
    #[command(after_help = "Examples:\n  plaint respond 202611-0003 --note \"已联系业主\"")]
    Respond(NoteArgs),
    /// Record the handling plan (notice form: action, start, finish)
    #[command(
        after_help = "Examples:\n  plaint plan 202611-0003 --action repair --finish 2026-11-20\n  plaint plan 202611-0003 --action 维修 --start 2026-11-05 --finish \"2026-11-06 18:00\" --cost 800"
    )]
    Plan(PlanArgs),
    /// Close the complaint (§3.6)
    #[command(
        after_help = "Examples:\n  plaint close 202611-0003 --reason confirmed --property-confirmed"
    )]
    Close(CloseArgs),
    /// Record the callback survey after closing (§7.4)
    #[command(
        after_help = "Examples:\n  plaint callback 202611-0003 --timeliness 9 --plan 8 --attitude 9\n  plaint callback 202611-0003 --timeliness 4 --plan 5 --attitude 8 --comment \"等了太久\""
    )]
    Callback(CallbackArgs),
    /// Record a step of the rulebook's own: a visit, an approval (its deadlines.steps)
    #[command(
        after_help = "Examples:\n  plaint step 202611-0003 visit --note \"上门查看\"\n  plaint step 202611-0003 approval --role 分管副总 --approved-by 李总"
    )]
    Step(StepArgs),
    /// Reopen a closed complaint: the customer complains again (§6.1.2.5)
    #[command(after_help = "Examples:\n  plaint reopen 202611-0003 --reason \"业主反映再次漏水\"")]
    Reopen(ReasonArgs),
    /// Raise the grade one step for mishandling (§6.1.3.5, §6.1.2.6); up the department chain
    /// where the rulebook names one
    #[command(after_help = "Examples:\n  plaint escalate 202611-0003 --reason \"两次上门未解决\"")]
    Escalate(ReasonArgs),
    /// Record a written reason why a step cannot be done in time (§8.2)
    #[command(
        after_help = "Examples:\n  plaint delay 202611-0003 --reason \"需厂家配件\" --approved-by 李总 --role 分管副总"
    )]
    Delay(DelayArgs),
    /// Record a judgement-based fine (§10–§12 and the appended table)
    #[command(
        after_help = "Examples:\n  plaint violation 202611-0003 --rule first-ask --person 张三 --department property"
    )]
    Violation(ViolationArgs),
    /// Show one ticket: facts, state, deadlines and events
    #[command(
        after_help = "Examples:\n  plaint show 202611-0003\n  plaint show 202611-0003 --as-of 2026-11-10 --format json"
    )]
    Show(ShowArgs),
    /// List tickets, filtered
    #[command(
        after_help = "Examples:\n  plaint list --overdue\n  plaint list --status 处理中 --project 实力北岸\n  plaint list --month 2026-11 --format csv --bom > 十一月.csv"
    )]
    List(ListArgs),
    /// The closure-rate report for a period (§3.7, §13)
    #[command(
        after_help = "Examples:\n  plaint report --month 2026-11 --by project\n  plaint report --last-month --by department --format html > report.html   # for cron\n  plaint report --year 2026 --by month --format json"
    )]
    Report(ReportArgs),
    /// Itemised fines, amounts to decide, totals and rewards for a period (§9)
    #[command(
        after_help = "Examples:\n  plaint penalties --month 2026-11\n  plaint penalties --last-month --format csv --bom > 扣罚.csv"
    )]
    Penalties(PenaltiesArgs),
    /// Deadlines falling due soon and overdue, by who answers for each; complaints to report
    /// to their grade's level (§7.3, §8.1); as mail, each sent once, in working hours
    #[command(
        after_help = "Nothing due prints nothing (exit 0), so cron can pipe it on.\n\nExamples:\n  plaint due --within 2h                       # what falls due in 2 working hours, and what is late\n  plaint due --for 周工 --format json\n  plaint due --format mail | formail -s /usr/sbin/sendmail -t   # each reminder once\n  PLAINT_SMTP_USER=desk PLAINT_SMTP_PASSWORD=... plaint due --smtp mail.example.com:587"
    )]
    Due(DueArgs),
    /// Enter a department's customer-service platform score for a month (rewards)
    #[command(
        after_help = "Examples:\n  plaint rate --department property --month 2026-11 --score 92"
    )]
    Rate(RateArgs),
    /// Settle a month for pay: its fines, rewards and report figures, never changed again
    #[command(
        after_help = "Examples:\n  plaint settle --month 2026-11 --dry-run   # what would be settled\n  plaint settle --month 2026-11 --by 王芳\n\nLater changes that would alter a settled month appear as adjustments (调整) in the\nfirst month not yet settled; `penalties --month 2026-11` prints the settled figures."
    )]
    Settle(SettleArgs),
    /// Withdraw a mistaken event (recorded as a `void` event; the file only grows)
    #[command(
        after_help = "Examples:\n  plaint show 202611-0003            # events are numbered 1, 2, 3 ...\n  \
        plaint void 202611-0003 4 --reason \"响应时间录错\"\n  \
        plaint void 202611-0003 6 --reason \"撤销有误\"   # event 6 is the void above: event 4 is restored"
    )]
    Void(VoidArgs),
    /// The working-day calendar in use: holidays, make-up days, years covered
    #[command(after_help = "Examples:\n  plaint calendar --year 2027")]
    Calendar(CalendarArgs),
    /// Validate the rulebook and every ticket file
    #[command(
        after_help = "Examples:\n  plaint check\n  plaint check --rules new-rules.yaml      # try a rulebook before putting it in place"
    )]
    Check(CheckArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  plaint completions bash > ~/.local/share/bash-completion/completions/plaint\n  plaint completions zsh > ~/.zfunc/_plaint"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man`
    #[command(
        after_help = "Examples:\n  plaint man > ~/.local/share/man/man1/plaint.1 && man plaint\n  plaint man | man -l -"
    )]
    Man,
    /// Read the desk's git history: every commit that did more than append to tickets
    #[command(
        after_help = "Examples:\n  plaint audit\n  plaint audit --since v2026-10 --format json"
    )]
    Audit(AuditArgs),
    /// git's merge driver for ticket files (set up by `plaint init --clone`)
    #[command(hide = true)]
    MergeTicket(MergeTicketArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only commits after this one (a commit, tag or branch)
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format: table or json
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct MergeTicketArgs {
    /// The common ancestor's version (%O)
    pub base: PathBuf,
    /// Our version, where the result is written (%A)
    pub ours: PathBuf,
    /// Their version (%B)
    pub theirs: PathBuf,
    /// The ticket's path in the repository (%P)
    pub path: Option<String>,
}

/// Options of every command that writes an event.
#[derive(Debug, Args, Default)]
pub struct WriteOpts {
    /// When it happened (RFC 3339, 'YYYY-MM-DD HH:MM' or YYYY-MM-DD; default now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Who did it (default $PLAINT_USER, else the OS user)
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub by: Option<String>,
}

/// Options of every command that reads the desk.
#[derive(Debug, Args)]
pub struct ReadOpts {
    /// Evaluate the desk as it stood at this moment (default now)
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Only what had been written by this moment (each event's entered_at, else its at), so
    /// that an earlier output is reproduced exactly (default now)
    #[arg(long, value_name = "TIME")]
    pub known_at: Option<String>,
}

#[derive(Debug, Args)]
pub struct VoidArgs {
    /// Ticket ID
    pub id: String,
    /// The number of the event to withdraw, as `plaint show` numbers them (from 1)
    #[arg(value_name = "N")]
    pub event: usize,
    /// Why the event is withdrawn (a mistaken entry, recorded twice, ...)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: String,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Only this year (default every year the calendar names, and this one)
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub read: ReadOpts,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check as of this moment (default now): from 1 November, a calendar without next
    /// year's holidays is warned about
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the desk (default --desk, else the current directory)
    pub dir: Option<PathBuf>,
    /// Set up a fresh git clone of an existing desk (merge driver, site code); the
    /// rulebook is left alone
    #[arg(long)]
    pub clone: bool,
    /// With --clone: this clone's site code, carried by every ID it mints (KM-202611-0001)
    #[arg(long, value_name = "CODE", requires = "clone")]
    pub site: Option<String>,
}

/// The intake facts a command was given: the core's plain type, filled from clap's.
pub use crate::rules::intake::Intake as FactArgs;

fn facts_with(core: [Option<String>; 4], m: &MoreFacts) -> FactArgs {
    let [project, name, phone, subject] = core;
    FactArgs {
        project,
        name,
        phone,
        subject,
        unit: m.unit.clone(),
        description: m.description.clone(),
        request: m.request.clone(),
        channel: m.channel.clone(),
        received_by: m.received_by.clone(),
        headcount: m.headcount,
        flags: m.flags.clone(),
        compensation: m.compensation.clone(),
        target: m.target.clone(),
        type_: m.type_.clone(),
        ext_ref: m.ext_ref.clone(),
    }
}

/// The four facts every complaint has, optional where they are corrected (`amend`).
#[derive(Debug, Args, Default)]
pub struct CoreFacts {
    /// Project (项目名称), one of the rulebook's projects
    #[arg(long)]
    pub project: Option<String>,
    /// Complainant's name (投诉人姓名)
    #[arg(long, allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Complainant's phone (联系方式): digits, spaces and + - ( )
    #[arg(long, allow_hyphen_values = true)]
    pub phone: Option<String>,
    /// Subject (投诉主题)
    #[arg(long, allow_hyphen_values = true)]
    pub subject: Option<String>,
}

/// The facts a complaint may have beyond the four every one has.
#[derive(Debug, Args, Default)]
pub struct MoreFacts {
    /// Unit / room number (物业房号)
    #[arg(long, allow_hyphen_values = true)]
    pub unit: Option<String>,
    /// What happened (投诉内容)
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
    /// What the customer asks for (客户要求)
    #[arg(long, allow_hyphen_values = true)]
    pub request: Option<String>,
    /// How it came in: phone, visit, letter, wechat, hotline, forwarded, other
    #[arg(long)]
    pub channel: Option<String>,
    /// Department that received it (投诉接单部门)
    #[arg(long, value_name = "DEPT")]
    pub received_by: Option<String>,
    /// How many people complain together
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub headcount: Option<i64>,
    /// A fact flag (repeatable): safety, major-loss, litigation, media, ...
    #[arg(long = "flag", value_name = "F")]
    pub flags: Vec<String>,
    /// Compensation involved, in yuan
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub compensation: Option<String>,
    /// Who or what is complained of (for "same target" grading)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub target: Option<String>,
    /// Complaint type (投诉类型), e.g. maintenance or 维保修
    #[arg(long = "type", value_name = "TYPE")]
    pub type_: Option<String>,
    /// External reference (投诉编号 in the source system); refused if already in the desk
    #[arg(long = "ref", value_name = "EXTERNAL-ID", allow_hyphen_values = true)]
    pub ext_ref: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Project (项目名称), one of the rulebook's projects
    #[arg(long)]
    pub project: String,
    /// Complainant's name (投诉人姓名)
    #[arg(long, allow_hyphen_values = true)]
    pub name: String,
    /// Complainant's phone (联系方式): digits, spaces and + - ( )
    #[arg(long, allow_hyphen_values = true)]
    pub phone: String,
    /// Subject (投诉主题)
    #[arg(long, allow_hyphen_values = true)]
    pub subject: String,
    #[command(flatten)]
    pub more: MoreFacts,
    #[command(flatten)]
    pub write: WriteOpts,
}

impl LogArgs {
    pub fn facts(&self) -> FactArgs {
        facts_with(
            [
                Some(self.project.clone()),
                Some(self.name.clone()),
                Some(self.phone.clone()),
                Some(self.subject.clone()),
            ],
            &self.more,
        )
    }
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    /// Ticket ID
    pub id: String,
    #[command(flatten)]
    pub core: CoreFacts,
    #[command(flatten)]
    pub more: MoreFacts,
    /// Remove every flag
    #[arg(long, conflicts_with = "flags")]
    pub no_flags: bool,
    /// Why the facts are corrected
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

impl AmendArgs {
    pub fn facts(&self) -> FactArgs {
        let c = &self.core;
        facts_with(
            [
                c.project.clone(),
                c.name.clone(),
                c.phone.clone(),
                c.subject.clone(),
            ],
            &self.more,
        )
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    /// Tables for the terminal, in Chinese
    Table,
    /// Codes for scripts
    Json,
    /// The ticket file as plaint reads it
    Yaml,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Ticket ID
    pub id: String,
    #[command(flatten)]
    pub read: ReadOpts,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// A table for the terminal, in Chinese
    Table,
    /// Codes for scripts
    Json,
    /// Codes for scripts; with --bom, Chinese headers and labels for Excel
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatusFilter {
    /// 处理中: not closed (or reopened)
    #[value(alias = "处理中", alias = "未关闭")]
    Open,
    /// 已关闭
    #[value(alias = "已关闭", alias = "关闭")]
    Closed,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only open (处理中) or closed (已关闭) tickets
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
    /// Only tickets with a deadline passed and not met
    #[arg(long)]
    pub overdue: bool,
    /// Only this grade (code or label)
    #[arg(long)]
    pub grade: Option<String>,
    /// Only this project
    #[arg(long)]
    pub project: Option<String>,
    /// Only this category (code or label)
    #[arg(long)]
    pub category: Option<String>,
    /// Only tickets handled by this department (code or label)
    #[arg(long, value_name = "DEPT")]
    pub department: Option<String>,
    /// Only tickets received in this month (YYYY-MM)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    #[command(flatten)]
    pub read: ReadOpts,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// With --format csv: start with a UTF-8 BOM so Excel reads Chinese text
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Ticket ID
    pub id: String,
    /// The complaint is valid (§3.4)
    #[arg(long, conflicts_with = "invalid")]
    pub valid: bool,
    /// The complaint is invalid, for this reason (§3.3), e.g. suggestion
    #[arg(long, value_name = "REASON")]
    pub invalid: Option<String>,
    /// Complaint type (§4.1.2)
    #[arg(long = "type", value_name = "TYPE")]
    pub type_: Option<String>,
    /// Category, when it differs from the type's (§6.2)
    #[arg(long)]
    pub category: Option<String>,
    /// Who or what is complained of
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub target: Option<String>,
    /// How many people complain together
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub headcount: Option<i64>,
    /// Fact flags (repeatable); replaces the ticket's flags
    #[arg(long = "flag", value_name = "F")]
    pub flags: Vec<String>,
    /// Compensation involved, in yuan
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub compensation: Option<String>,
    /// Set the grade by hand (customer service's final say, §5.1.3)
    #[arg(long, requires = "reason")]
    pub grade: Option<String>,
    /// Why (required with --grade)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Ticket ID
    pub id: String,
    /// Responsible department (default: the type's first responsible department)
    #[arg(long, value_name = "DEPT")]
    pub department: Option<String>,
    /// The person responsible for handling it
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub handler: Option<String>,
    /// Co-operating departments, comma-separated
    #[arg(long, value_name = "D,...", value_delimiter = ',')]
    pub cooperating: Vec<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// Ticket ID
    pub id: String,
    /// A note kept with the event (what was said or done)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Ticket ID
    pub id: String,
    /// repair, replace, owner-repair, negotiate, other (or the Chinese label)
    #[arg(long)]
    pub action: String,
    /// When the work starts
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// When it will be finished (a bare date means the end of that day)
    #[arg(long, value_name = "DATE")]
    pub finish: Option<String>,
    /// Cost, in yuan
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub cost: Option<String>,
    /// A note kept with the event (what was said or done)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Ticket ID
    pub id: String,
    /// confirmed, no-agreement, litigation-concluded, explained (§3.6)
    #[arg(long)]
    pub reason: String,
    /// The property company confirmed the result in writing (§7.5)
    #[arg(long)]
    pub property_confirmed: bool,
    /// A note kept with the event (what was said or done)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Args)]
pub struct CallbackArgs {
    /// Ticket ID
    pub id: String,
    /// Satisfaction with timeliness, 0–10
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub timeliness: i64,
    /// Satisfaction with the plan, 0–10
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub plan: i64,
    /// Satisfaction with staff attitude, 0–10
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub attitude: i64,
    /// Did the customer get a confirmation of the complaint?
    #[arg(long, value_enum)]
    pub acknowledged: Option<YesNo>,
    /// Did staff talk to the customer or visit?
    #[arg(long, value_enum)]
    pub visited: Option<YesNo>,
    /// The customer's words (required when any score is below 6)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub comment: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// Ticket ID
    pub id: String,
    /// The step, by code or label, as the rulebook's deadlines.steps names it (e.g. visit)
    pub step: String,
    /// A note kept with the event (what was said or done)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    /// The signer's role, for a step the rulebook has signed (one of its signers)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Who signed it, for a signed step (default: --by)
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub approved_by: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// Ticket ID
    pub id: String,
    /// Why: the customer's new complaint, or how it was mishandled (kept with the event)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: String,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct DelayArgs {
    /// Ticket ID
    pub id: String,
    /// The written reason (§8.2)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: String,
    /// Who signed it (department head, VP or GM by grade, §8.2.1–§8.2.4)
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub approved_by: String,
    /// The signer's role, checked against the grade: 部门负责人, 分管副总, 总经理 (the
    /// rulebook's deadlines.delay_approvers); without it, show names the role required
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct ViolationArgs {
    /// Ticket ID
    pub id: String,
    /// first-ask, mishandling, concealment
    #[arg(long)]
    pub rule: String,
    /// Who is fined
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub person: String,
    /// Their department
    #[arg(long, value_name = "DEPT")]
    pub department: String,
    #[command(flatten)]
    pub write: WriteOpts,
}

/// Which period a report covers; default the month of --as-of.
#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// For a settled month: print today's computation beside the settled figures
    #[arg(long)]
    pub recompute: bool,
    /// A calendar month, YYYY-MM
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// A calendar year, YYYY
    #[arg(long, value_name = "YYYY")]
    pub year: Option<String>,
    /// First day of a range (inclusive), with --to
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// Last day of a range (inclusive), with --from
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// The month before --as-of (for cron)
    #[arg(long)]
    pub last_month: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupBy {
    /// 项目
    #[value(alias = "项目")]
    Project,
    /// 责任部门
    #[value(alias = "部门", alias = "责任部门")]
    Department,
    /// 类别
    #[value(alias = "类别")]
    Category,
    /// 等级
    #[value(alias = "等级")]
    Grade,
    /// 月份
    #[value(alias = "月份")]
    Month,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// A table for the terminal, in Chinese
    Table,
    /// Codes and figures for scripts (keys fixed by SPEC)
    Json,
    /// Codes for scripts; with --bom, Chinese headers for Excel
    Csv,
    /// A Markdown table, in Chinese
    Md,
    /// A page with charts, for mail
    Html,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// One row per project, department, category, grade or month
    #[arg(long, value_enum)]
    pub by: Option<GroupBy>,
    #[command(flatten)]
    pub read: ReadOpts,
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// With --format csv: start with a UTF-8 BOM so Excel reads Chinese text
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Args)]
pub struct PenaltiesArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub read: ReadOpts,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// With --format csv: start with a UTF-8 BOM so Excel reads Chinese text
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Args)]
pub struct SettleArgs {
    /// The month to settle (it must have ended)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// Print what would be settled; write nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DueFormat {
    /// A table for the terminal, in Chinese
    Table,
    /// Codes for scripts
    Json,
    /// One message per person not yet told, as an mbox for `sendmail -t`; recorded as sent
    Mail,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// How far ahead to look, on each step's own clock (2h: two working hours for a
    /// working-clock step); default the rulebook's notices.remind_within
    #[arg(long, value_name = "DURATION")]
    pub within: Option<String>,
    /// Only what this person is told
    #[arg(long = "for", id = "for", value_name = "PERSON")]
    pub for_: Option<String>,
    /// Only steps this department answers for (code or label)
    #[arg(long, value_name = "DEPT")]
    pub department: Option<String>,
    #[command(flatten)]
    pub read: ReadOpts,
    /// Output format (default table)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DueFormat>,
    /// Send the messages not yet sent through this SMTP server (STARTTLS; port 465: TLS;
    /// credentials from $PLAINT_SMTP_USER and $PLAINT_SMTP_PASSWORD)
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "format")]
    pub smtp: Option<String>,
    /// Only the notices to grades' levels (§8.1), no reminders
    #[arg(long)]
    pub notices: bool,
    /// Send outside the sending hours too (nights, weekends, holidays)
    #[arg(long)]
    pub any_time: bool,
    /// With --format mail or --smtp: show what would be sent, record nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RateArgs {
    /// The department rated (code or label)
    #[arg(long, value_name = "DEPT")]
    pub department: String,
    /// The month rated, YYYY-MM
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// The platform score, 0–100
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub score: String,
    #[command(flatten)]
    pub write: WriteOpts,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The spreadsheet: .csv (UTF-8, UTF-8 with BOM, or GBK/GB18030) or .xlsx
    pub file: PathBuf,
    /// The CSV file's encoding: utf-8, gbk, gb18030, big5, shift_jis, ... (default: UTF-8 or
    /// GBK/GB18030, detected)
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// The .xlsx sheet to read (default: the first)
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub sheet: Option<String>,
    /// Skip columns plaint does not know instead of refusing the file
    #[arg(long)]
    pub ignore_unknown: bool,
    /// Check every row and say what would be imported; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// When rows without a received_at column were received (default now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Who imports (default $PLAINT_USER, else the OS user)
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub by: Option<String>,
}
