//! A real SMTP server on loopback (mailin-embedded) that keeps what it receives.
use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use mailin_embedded::{response, Handler, Response, Server, SslConfig};

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub raw: String,
}

#[derive(Clone, Default)]
struct Collector {
    inbox: Arc<Mutex<Vec<Mail>>>,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail =
            Mail { to: std::mem::take(&mut self.to), raw: String::from_utf8_lossy(&self.buf).into_owned() };
        self.inbox.lock().unwrap().push(mail);
        response::OK
    }
}

#[derive(Clone)]
pub struct MailSink {
    inbox: Arc<Mutex<Vec<Mail>>>,
    port: u16,
}

impl MailSink {
    pub fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let handler = Collector { inbox: inbox.clone(), ..Default::default() };
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            server.with_name("sink.test").with_tcp_listener(listener);
            let _ = server.with_ssl(SslConfig::None);
            let _ = server.serve();
        });
        MailSink { inbox, port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn all(&self) -> Vec<Mail> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) for the `n`-th mail (1-based) addressed to `to`.
    pub async fn wait_for(&self, to: &str, n: usize) -> Mail {
        for _ in 0..200 {
            let matching: Vec<Mail> =
                self.all().into_iter().filter(|m| m.to.iter().any(|t| t.contains(to))).collect();
            if matching.len() >= n {
                return matching[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail #{n} to {to}; inbox: {:?}", self.all());
    }

    pub fn count_to(&self, to: &str) -> usize {
        self.all().iter().filter(|m| m.to.iter().any(|t| t.contains(to))).count()
    }
}
