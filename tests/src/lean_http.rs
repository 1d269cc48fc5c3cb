//! A bare HTTP/1.1 client for load benches: one kept-alive connection, each request written in
//! one piece and each answer read by its `Content-Length`. In a hall, fifty counters are fifty
//! machines; on the bench they share the controller's two cores, so the load they make must
//! cost as little as it can: reqwest's clients took about a third of the CPU of a call.

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One connection to the controller, as one caller (its token).
pub struct LeanConnection {
    stream: BufReader<TcpStream>,
    host: String,
    authorization: String,
    line: Vec<u8>,
}

impl LeanConnection {
    /// Connects to `base` (`http://host:port`, as [`crate::Controller::base`]) as `token`.
    pub async fn open(base: &str, token: &str) -> anyhow::Result<Self> {
        let host = base
            .strip_prefix("http://")
            .with_context(|| format!("{base} is not a plain http:// address"))?
            .trim_end_matches('/')
            .to_string();
        let stream = TcpStream::connect(&host)
            .await
            .with_context(|| format!("connecting to {host}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            host,
            authorization: format!("Bearer {token}"),
            line: Vec::with_capacity(256),
        })
    }

    /// POSTs `json` to `path`: the answer's status and body.
    pub async fn post_json(&mut self, path: &str, json: &str) -> anyhow::Result<(u16, String)> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nhost: {}\r\nauthorization: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
            self.host,
            self.authorization,
            json.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        self.answer().await.with_context(|| format!("POST {path}"))
    }

    async fn answer(&mut self) -> anyhow::Result<(u16, String)> {
        self.next_line().await?;
        // "HTTP/1.1 200 OK"
        let status = std::str::from_utf8(&self.line)?
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok())
            .with_context(|| {
                format!(
                    "not an HTTP status line: {:?}",
                    String::from_utf8_lossy(&self.line)
                )
            })?;
        let mut length = None;
        loop {
            self.next_line().await?;
            let line = std::str::from_utf8(&self.line)?;
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = Some(value.trim().parse::<usize>()?);
            }
        }
        let Some(length) = length else {
            bail!("the answer ({status}) has no content-length; this client reads no other kind");
        };
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, String::from_utf8(body)?))
    }

    /// Reads one header line into `self.line`, without its line end.
    async fn next_line(&mut self) -> anyhow::Result<()> {
        self.line.clear();
        if self.stream.read_until(b'\n', &mut self.line).await? == 0 {
            bail!("the controller closed the connection");
        }
        while matches!(self.line.last(), Some(b'\n' | b'\r')) {
            self.line.pop();
        }
        Ok(())
    }
}
