//! Writes the sample spreadsheets in examples/import/, one in each form `plaint import` takes:
//!
//!     cargo run --example make-sheets
//!
//! - complaints-gbk.csv: Chinese headers, GBK, CRLF line ends: what Excel saves as
//!   "CSV (逗号分隔)" on Chinese Windows;
//! - complaints-utf8.csv: English headers, UTF-8;
//! - complaints.xlsx: Chinese headers, times as real Excel dates (and one typed as text).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use std::path::Path;

const CHINESE: [&str; 17] = [
    "投诉编号",
    "项目名称",
    "投诉人姓名",
    "联系方式",
    "物业房号",
    "投诉主题",
    "投诉内容",
    "客户要求",
    "投诉接单部门",
    "发单时间",
    "投诉类型",
    "是否有效",
    "处理责任人",
    "响应时间",
    "关闭时间",
    "及时性评分",
    "方案评分",
];

/// Rows of last autumn's sheet: (ref, project, name, phone, unit, subject, description,
/// request, received by, received at, type, validity, handler, responded, closed,
/// timeliness, plan score); the attitude score is the 18th column, the property company's
/// confirmation of an engineering close (§7.5) the 19th, the customer's reason for a low
/// callback score (§7.4) the 20th.
const ROWS: [[&str; 20]; 6] = [
    [
        "KF-2025-0901",
        "实力北岸",
        "周建华",
        "13988001122",
        "1栋2单元301",
        "楼道灯不亮",
        "一楼至三楼楼道灯已坏一周。",
        "尽快维修",
        "物业公司",
        "2025-09-01 08:40",
        "物业服务",
        "有效",
        "孙主管",
        "2025-09-01 09:10",
        "2025-09-02 17:00",
        "9",
        "9",
        "10",
        "",
        "",
    ],
    [
        "KF-2025-0902",
        "实力郡城",
        "吴秀兰",
        "13766002233",
        "5栋801",
        "外墙渗水",
        "雨后卧室外墙渗水,墙纸脱落。",
        "修补外墙并赔偿墙纸",
        "客户服务部",
        "2025-09-03 14:20",
        "维保修",
        "有效",
        "钱工",
        "2025-09-03 15:00",
        "2025-09-15 10:00",
        "7",
        "8",
        "8",
        "是",
        "",
    ],
    [
        "KF-2025-0903",
        "书香大地",
        "郑晓明",
        "13500113344",
        "",
        "建议增加快递柜",
        "小区快递柜不够用。",
        "",
        "客户服务部",
        "2025-09-05 19:05",
        "其他",
        "合理化意见或建议",
        "",
        "2025-09-06 09:00",
        "2025-09-06 09:30",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "KF-2025-0904",
        "实力锦城",
        "冯丽",
        "13612004455",
        "8栋1203",
        "售楼承诺学位未兑现",
        "置业顾问承诺的学位无法落实。",
        "兑现承诺",
        "营销部",
        "2025-09-10 10:00",
        "营销签约",
        "有效",
        "黄经理",
        "2025-09-10 11:30",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "KF-2025-0905",
        "实力上筑",
        "陈国庆",
        "(0872)2100-566",
        "商业街B-3",
        "商铺空调噪音",
        "隔壁商铺空调外机噪音大。",
        "移机",
        "旅游商业运营中心",
        "2025-09-12 16:45",
        "租赁管理",
        "有效",
        "林主管",
        "2025-09-12 17:00",
        "2025-09-14 12:00",
        "8",
        "6",
        "9",
        "",
        "",
    ],
    [
        "KF-2025-0906",
        "实力五星彩园",
        "杨帆",
        "13700225566",
        "2栋",
        "电梯困人",
        "电梯困人二十分钟才有人来。",
        "整改并道歉",
        "物业公司",
        "2025-09-20 21:15",
        "物业服务",
        "有效",
        "孙主管",
        "2025-09-20 21:40",
        "2025-09-21 18:00",
        "5",
        "7",
        "6",
        "",
        "电梯困人等了二十分钟,处理太慢",
    ],
];

const ENGLISH: [&str; 20] = [
    "ref",
    "project",
    "name",
    "phone",
    "unit",
    "subject",
    "description",
    "request",
    "received_by",
    "received_at",
    "type",
    "valid",
    "handler",
    "responded_at",
    "closed_at",
    "timeliness",
    "plan_score",
    "attitude",
    "property_confirmed",
    "comment",
];

fn csv(headers: &[&str], crlf: bool) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(headers).unwrap();
    for r in ROWS {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/import");
    std::fs::create_dir_all(&dir).unwrap();
    let mut chinese: Vec<&str> = CHINESE.to_vec();
    chinese.extend(["服务态度评分", "物业确认", "回访意见"]);

    let gbk = encoding_rs::GBK.encode(&csv(&chinese, true)).0.into_owned();
    std::fs::write(dir.join("complaints-gbk.csv"), gbk).unwrap();
    std::fs::write(dir.join("complaints-utf8.csv"), csv(&ENGLISH, false)).unwrap();

    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 11, 1).unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("投诉台账").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in chinese.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in ROWS.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            let is_time = matches!(c, 9 | 13 | 14);
            // The first row keeps its receipt time as text, as hand-typed sheets do.
            if is_time && !v.is_empty() && !(r == 1 && c == 9) {
                let t = ExcelDateTime::parse_from_str(v).unwrap();
                sheet.write_datetime_with_format(r, c, &t, &date).unwrap();
            } else if matches!(c, 15..=17) && !v.is_empty() {
                sheet.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
            } else if !v.is_empty() {
                sheet.write_string(r, c, *v).unwrap();
            }
        }
    }
    book.save(dir.join("complaints.xlsx")).unwrap();
    eprintln!("wrote {}", dir.display());
}
