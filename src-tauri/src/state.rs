//! What the shell keeps: which screen it is on, the cockpit once there is one, and the
//! in-process simulator while a demo runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use opsdeck_cli::simulate::{self, Request, DEMO_AT, DEMO_SPEED};
use opsdeck_domain::{AppMode, AppStatus};
use opsdeck_engine::notifier::ClickHandler;
use opsdeck_engine::{paths, Cockpit, CockpitOptions, Config, DesktopNotifier, Notifier};
use opsdeck_sim::run::RunningSim;
use tokio::sync::watch;

use crate::args::Args;

pub struct Shell {
    config_path: PathBuf,
    db: Option<PathBuf>,
    /// What a click on a page's desktop notification does (window.rs).
    on_click: ClickHandler,
    inner: Mutex<Inner>,
    /// Bumped whenever a new cockpit replaces the old one (the event forwarder re-subscribes).
    generation: watch::Sender<u64>,
}

#[derive(Default)]
struct Inner {
    mode: Option<AppMode>,
    cockpit: Option<Arc<Cockpit>>,
    sim: Option<RunningSim>,
    boot_error: Option<String>,
}

impl Shell {
    pub fn new(args: &Args, on_click: ClickHandler) -> Shell {
        Shell {
            config_path: args
                .config
                .clone()
                .unwrap_or_else(paths::default_config_path),
            db: args.db.clone(),
            on_click,
            inner: Mutex::new(Inner::default()),
            generation: watch::channel(0).0,
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decides the first screen: the demo when asked for, the configured sources when there is
    /// a config, else the first-run screen. The demo never starts by itself.
    pub async fn boot(&self, args: &Args) -> Result<(), String> {
        if args.demo {
            return self.start_demo().await;
        }
        if !self.config_path.exists() {
            if args.config.is_some() {
                return Err(format!("no config at {}", self.config_path.display()));
            }
            self.inner().mode = Some(AppMode::FirstRun);
            return Ok(());
        }
        let config = Config::load(&self.config_path).map_err(|e| e.to_string())?;
        let db_path = paths::db_path_for(&config, &self.config_path, self.db.as_deref());
        let mode = if config.is_simulated() {
            AppMode::Demo
        } else {
            AppMode::Live
        };
        self.install(config, self.config_path.clone(), db_path, mode, None)
            .await
    }

    /// The bundled day in-process: simulator on loopback, its config and a fresh cache in the
    /// app's own demo folder (never the user's config or history).
    pub async fn start_demo(&self) -> Result<(), String> {
        if self.inner().sim.is_some() {
            return Ok(());
        }
        let mut started = simulate::start(Request {
            scenario: Arc::new(opsdeck_sim::scenario::bundled_day()),
            date: None,
            at: Some(DEMO_AT.into()),
            speed: DEMO_SPEED,
            port_base: None,
            alertmanager: None,
        })
        .await
        .map_err(|e| e.to_string())?;
        let dir = paths::default_db_path()
            .parent()
            .map(|p| p.join("demo"))
            .unwrap_or_else(|| PathBuf::from("demo"));
        let config_path = dir.join("opsdeck-demo.toml");
        started.save(&config_path).map_err(|e| e.to_string())?;
        let db_path = paths::db_path_for_sim_config(&config_path);
        remove_cache(&db_path)?;
        self.install(
            started.config,
            config_path,
            db_path,
            AppMode::Demo,
            Some(started.sim),
        )
        .await
    }

    async fn install(
        &self,
        config: Config,
        config_path: PathBuf,
        db_path: PathBuf,
        mode: AppMode,
        sim: Option<RunningSim>,
    ) -> Result<(), String> {
        // `None` when notifications are off: the engine then stays silent.
        let notifier = config.notifications.enabled.then(|| {
            Arc::new(DesktopNotifier::with_click(self.on_click.clone())) as Arc<dyn Notifier>
        });
        let cockpit = Cockpit::open(CockpitOptions {
            config,
            config_path,
            db_path,
            notifier,
        })
        .map_err(|e| e.to_string())?;
        let cockpit = Arc::new(cockpit);
        cockpit.start().await;
        {
            let mut inner = self.inner();
            inner.mode = Some(mode);
            inner.cockpit = Some(cockpit);
            if sim.is_some() {
                inner.sim = sim;
            }
            inner.boot_error = None;
        }
        self.generation.send_modify(|g| *g += 1);
        Ok(())
    }

    pub fn set_boot_error(&self, message: String) {
        self.inner().boot_error = Some(message);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn boot_error(&self) -> Option<String> {
        self.inner().boot_error.clone()
    }

    pub fn cockpit(&self) -> Option<Arc<Cockpit>> {
        self.inner().cockpit.clone()
    }

    pub fn watch_cockpit(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// `None` while booting.
    pub fn status(&self) -> Option<AppStatus> {
        let inner = self.inner();
        let mode = inner.mode?;
        Some(match &inner.cockpit {
            Some(c) => AppStatus {
                mode,
                tz: c.timezone().name().to_string(),
                today: c.today(),
                now: c.now(),
                me: c.config().me.clone(),
                config_path: Some(c.config_path().display().to_string()),
            },
            None => {
                let tz = opsdeck_engine::config::system_timezone();
                let now = chrono::Utc::now();
                AppStatus {
                    mode,
                    tz: tz.name().to_string(),
                    today: now.with_timezone(&tz).date_naive(),
                    now,
                    me: None,
                    config_path: Some(self.config_path.display().to_string()),
                }
            }
        })
    }
}

/// The demo's cache is throwaway: a previous run's state would contradict the replayed day.
fn remove_cache(db: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot reset the demo cache {}: {e}", p.display())),
        }
    }
    Ok(())
}
