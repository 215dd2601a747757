//! Mail, at the edge: RFC 5322 messages (UTF-8 plain text and HTML as a
//! `multipart/alternative`, Chinese names and subjects encoded per RFC 2047), an mbox of them
//! for a `sendmail -t`-style pipe, and sending them over SMTP with lettre.

use crate::time::Moment;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// One message to one recipient.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub from_name: String,
    pub from_address: String,
    pub to_name: String,
    /// `None`: the recipient has no address; `To:` carries their name alone (an empty
    /// group, `周工:;`), for a person or a mailer to route.
    pub to_address: Option<String>,
    pub subject: String,
    pub date: Moment,
    /// Without the angle brackets.
    pub message_id: String,
    pub text: String,
    pub html: String,
}

/// The longest piece of text one encoded word carries: 36 bytes are 48 base64 characters,
/// a word of 60, so `Subject: ` and a word fit a line of 78.
const WORD_BYTES: usize = 36;

/// Text as RFC 2047 encoded words (`=?UTF-8?B?...?=`), split between characters, one word
/// per folded line.
pub fn encode_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > WORD_BYTES {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", B64.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// Header text: as it is when it is short printable ASCII that cannot be mistaken for an
/// encoded word, else encoded.
fn header_text(text: &str) -> String {
    let plain = text.len() <= 60
        && text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !text.contains("=?");
    if plain {
        text.to_string()
    } else {
        encode_words(text)
    }
}

/// A display name: a quoted string for plain ASCII, else encoded words.
fn display_name(name: &str) -> String {
    let ascii = name.len() <= 60 && name.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if ascii && !name.contains("=?") {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encode_words(name)
    }
}

/// Base64 in lines of 76 characters (RFC 2045).
fn base64_lines(bytes: &[u8]) -> String {
    let all = B64.encode(bytes);
    let mut out = String::with_capacity(all.len() + all.len() / 38);
    for (i, c) in all.chars().enumerate() {
        if i > 0 && i % 76 == 0 {
            out.push_str("\r\n");
        }
        out.push(c);
    }
    out
}

impl Outgoing {
    /// The `To:` header's value.
    pub fn to_header(&self) -> String {
        match &self.to_address {
            Some(a) => format!("{} <{a}>", display_name(&self.to_name)),
            None => format!("{}:;", display_name(&self.to_name)),
        }
    }

    /// The message, lines ended with CRLF (as SMTP sends it) or LF (as an mbox and
    /// `sendmail` take it).
    pub fn render(&self, crlf: bool) -> Vec<u8> {
        let boundary = format!(
            "=_plaint_{}",
            &crate::desk::sha256_hex(self.message_id.as_bytes())[..24]
        );
        let headers = [
            ("Date", self.date.to_rfc2822()),
            (
                "From",
                format!("{} <{}>", display_name(&self.from_name), self.from_address),
            ),
            ("To", self.to_header()),
            ("Subject", header_text(&self.subject)),
            ("Message-ID", format!("<{}>", self.message_id)),
            // RFC 3834: written by a program; no out-of-office replies to it.
            ("Auto-Submitted", "auto-generated".into()),
            ("MIME-Version", "1.0".into()),
            (
                "Content-Type",
                format!("multipart/alternative;\r\n boundary=\"{boundary}\""),
            ),
        ];
        let mut m = String::new();
        for (k, v) in headers {
            m.push_str(&format!("{k}: {v}\r\n"));
        }
        m.push_str("\r\n");
        for (kind, body) in [("plain", &self.text), ("html", &self.html)] {
            m.push_str(&format!(
                "--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                base64_lines(body.as_bytes())
            ));
        }
        m.push_str(&format!("--{boundary}--\r\n"));
        if crlf {
            m.into_bytes()
        } else {
            m.replace("\r\n", "\n").into_bytes()
        }
    }
}

/// Messages as an mbox (mboxrd): each after a `From ` line, any body line that starts with
/// `From ` (after `>`s) quoted with one more `>`, and a blank line after each.
pub fn mbox(messages: &[Outgoing]) -> Vec<u8> {
    let mut out = String::new();
    for m in messages {
        let when = m.date.with_timezone(&chrono::Utc);
        out.push_str(&format!(
            "From {} {}\n",
            m.from_address,
            when.format("%a %b %e %H:%M:%S %Y")
        ));
        let text = String::from_utf8(m.render(false)).expect("a message is ASCII");
        for line in text.lines() {
            if line.trim_start_matches('>').starts_with("From ") {
                out.push('>');
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Where `--smtp` sends: a host and a port (`mail.example.com:587`, `[::1]:2525`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
}

impl Server {
    pub fn parse(s: &str) -> Result<Server, String> {
        let bad = || format!("'{s}' is not HOST:PORT (write it like mail.example.com:587)");
        let (host, port) = s.trim().rsplit_once(':').ok_or_else(bad)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(Server {
            host: host.to_string(),
            port,
        })
    }

    /// Whether the server is this machine (a local mail daemon, or a test's).
    pub fn loopback(&self) -> bool {
        self.host == "localhost"
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// How the connection is protected: port 465 speaks TLS from the start (RFC 8314);
    /// elsewhere STARTTLS is required, except on this machine, where it is used when
    /// offered. Credentials are never sent in the clear to another machine.
    pub fn security(&self) -> Security {
        if self.port == 465 {
            Security::Implicit
        } else if self.loopback() {
            Security::IfOffered
        } else {
            Security::StartTls
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Implicit,
    StartTls,
    IfOffered,
}

/// A connection to an SMTP server, with the credentials the environment gives
/// (`$PLAINT_SMTP_USER`, `$PLAINT_SMTP_PASSWORD`; never the rulebook).
pub struct Sender {
    transport: lettre::SmtpTransport,
}

impl Sender {
    pub fn new(server: &Server) -> Result<Sender, String> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Tls, TlsParameters};
        let params = || {
            TlsParameters::new(server.host.clone())
                .map_err(|e| format!("TLS for {}: {e}", server.host))
        };
        let tls = match server.security() {
            Security::Implicit => Tls::Wrapper(params()?),
            Security::StartTls => Tls::Required(params()?),
            Security::IfOffered => Tls::Opportunistic(params()?),
        };
        let mut b = lettre::SmtpTransport::builder_dangerous(server.host.clone())
            .port(server.port)
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(30)));
        let user = std::env::var("PLAINT_SMTP_USER")
            .ok()
            .filter(|u| !u.is_empty());
        if let Some(user) = user {
            let password = std::env::var("PLAINT_SMTP_PASSWORD").map_err(|_| {
                "PLAINT_SMTP_USER is set but PLAINT_SMTP_PASSWORD is not".to_string()
            })?;
            b = b.credentials(Credentials::new(user, password));
        }
        Ok(Sender {
            transport: b.build(),
        })
    }

    /// Sends one message to its recipient's address.
    pub fn send(&self, m: &Outgoing) -> Result<(), String> {
        use lettre::Transport;
        let to = m
            .to_address
            .as_deref()
            .ok_or_else(|| format!("{} has no address", m.to_name))?;
        let parse = |a: &str| {
            a.parse::<lettre::Address>()
                .map_err(|e| format!("'{a}': {e}"))
        };
        let envelope =
            lettre::address::Envelope::new(Some(parse(&m.from_address)?), vec![parse(to)?])
                .map_err(|e| e.to_string())?;
        self.transport
            .send_raw(&envelope, &m.render(true))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(to: Option<&str>) -> Outgoing {
        Outgoing {
            from_name: "客户投诉台".into(),
            from_address: "complaints@example.com".into(),
            to_name: "周工".into(),
            to_address: to.map(str::to_string),
            subject: "投诉提醒:即将到期 1 项,已逾期 2 项(实力北岸 卫生间漏水,请尽快处理)".into(),
            date: crate::time::parse_moment(
                "2026-11-09 08:30",
                crate::time::parse_offset("+08:00").unwrap(),
            )
            .unwrap(),
            message_id: "abc.1@example.com".into(),
            text: "From here on: 卫生间漏水\n".into(),
            html: "<p>卫生间漏水</p>".into(),
        }
    }

    #[test]
    fn encoded_words_are_short_and_split_between_characters() {
        let s = "投诉提醒:即将到期 1 项,已逾期 2 项(实力北岸 卫生间漏水,请尽快处理)";
        let e = encode_words(s);
        let mut back = Vec::new();
        for w in e.split("\r\n ") {
            assert!(w.len() <= 75, "{w}");
            let b64 = w
                .strip_prefix("=?UTF-8?B?")
                .unwrap()
                .strip_suffix("?=")
                .unwrap();
            let bytes = B64.decode(b64).unwrap();
            assert!(
                std::str::from_utf8(&bytes).is_ok(),
                "a word ends inside a character"
            );
            back.extend(bytes);
        }
        assert_eq!(String::from_utf8(back).unwrap(), s);
        assert_eq!(header_text("Reminder"), "Reminder");
    }

    #[test]
    fn a_message_is_ascii_with_lines_under_the_limit() {
        let bytes = message(Some("zhou@example.com")).render(true);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.is_ascii());
        for line in text.split("\r\n") {
            assert!(line.len() <= 78, "{line}");
        }
        assert!(text.contains("\r\nTo: =?UTF-8?B?5ZGo5bel?= <zhou@example.com>\r\n"));
        assert!(text.contains("Date: Mon, 9 Nov 2026 08:30:00 +0800"));
        let bare = String::from_utf8(message(None).render(false)).unwrap();
        assert!(bare.contains("\nTo: =?UTF-8?B?5ZGo5bel?=:;\n"), "{bare}");
        assert!(!bare.contains('\r'));
    }

    #[test]
    fn an_mbox_quotes_from_lines() {
        let mut m = message(None);
        m.subject = "x".into();
        let out = String::from_utf8(mbox(&[m.clone(), m])).unwrap();
        assert_eq!(out.matches("\nFrom complaints@example.com ").count(), 1);
        assert!(out.starts_with("From complaints@example.com Mon Nov  9 00:30:00 2026\n"));
        assert!(out.ends_with("--\n\n"));
    }

    #[test]
    fn servers() {
        assert_eq!(
            Server::parse("mail.example.com:587"),
            Ok(Server {
                host: "mail.example.com".into(),
                port: 587
            })
        );
        assert_eq!(Server::parse("[::1]:2525").unwrap().host, "::1");
        assert!(Server::parse("mail.example.com").is_err());
        assert!(Server::parse(":25").is_err());
        assert_eq!(
            Server::parse("mail.example.com:465").unwrap().security(),
            Security::Implicit
        );
        assert_eq!(
            Server::parse("mail.example.com:587").unwrap().security(),
            Security::StartTls
        );
        assert_eq!(
            Server::parse("127.0.0.1:2525").unwrap().security(),
            Security::IfOffered
        );
        assert_eq!(
            Server::parse("localhost:25").unwrap().security(),
            Security::IfOffered
        );
    }
}
