//! Wires a checked site into a running controller: records, recovery, lights, room workers and
//! the API, and takes them down in order at shutdown.

use anyhow::Context;
use hardware_profiles::Site;
use records::{SiteAgency, SiteRoom, SiteService, SiteWindow, Store};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tracing::info;

use crate::api::{AppState, router};
use crate::db::Db;
use crate::disk::DiskPolicy;
use crate::indicator::{Indicator, Light};
use crate::live::Live;
use crate::storage_of;
use crate::{recovery, room};

/// Opens (creating or upgrading) the site's records file and makes its agencies and rooms
/// match the site file.
pub fn open_records(site: &Site) -> anyhow::Result<Store> {
    if let Some(parent) = site.records.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the records folder {}", parent.display()))?;
    }
    let mut store = Store::open(&site.records)?;
    let agencies: Vec<_> = site
        .agencies
        .iter()
        .map(|a| SiteAgency {
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let rooms: Vec<_> = site
        .rooms
        .iter()
        .map(|r| SiteRoom {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: r.kind,
            agencies: r.agencies.clone(),
        })
        .collect();
    store.sync_site(&agencies, &rooms)?;
    let services: Vec<_> = site
        .hall
        .services
        .iter()
        .map(|s| SiteService {
            id: s.id.clone(),
            agency_id: s.agency.clone(),
            name: s.name.clone(),
            prefix: s.prefix.clone(),
            daily_cap: s.daily_cap,
            opens: s.opens,
            closes: s.closes,
        })
        .collect();
    let windows: Vec<_> = site
        .hall
        .windows
        .iter()
        .map(|w| SiteWindow {
            id: w.id.clone(),
            number: w.number,
            name: w.name.clone(),
            services: w.services.clone(),
        })
        .collect();
    store.sync_hall(&services, &windows)?;
    // Each agency's catalogue of major decisions is published in its publicity file; the
    // legal-review gate reads it from the records.
    for agency in &site.agencies {
        // A version changed through the API since is in force over the file's.
        let publicity = match store.latest_publicity(&agency.id)? {
            Some(version) => version.publicity,
            None => agency.publicity.clone(),
        };
        store.set_major_catalogue(
            &agency.id,
            &as_strs(&publicity.major_decisions),
            &as_strs(&publicity.discussed_decisions),
        )?;
    }
    Ok(store)
}

fn as_strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// Runs the site until `shutdown` completes; then stops every session cleanly.
/// Prints `listening on http://ADDR` (or `https://`) on standard output once the API answers.
pub async fn serve(
    site: Site,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    pipelines::init()?;
    std::fs::create_dir_all(&site.media)
        .with_context(|| format!("creating the media folder {}", site.media.display()))?;
    let site_for_records = site.clone();
    let store = tokio::task::spawn_blocking(move || open_records(&site_for_records)).await??;
    let db = Db::new(store)?;
    let key_file = crate::site_key_file(&site);
    let key =
        tokio::task::spawn_blocking(move || evidence::SiteKey::load_or_create(&key_file)).await??;
    let public_key: Arc<str> = key.public_hex().into();
    let recorded = public_key.clone();
    db.call(move |store| store.record_site_key(&recorded))
        .await?;
    let storage = storage_of(&site, Arc::new(key));

    let interrupted = recovery::recover_interrupted(&db, &storage).await?;

    let live = Live::new();
    let mut handles = HashMap::new();
    let mut lights = HashMap::new();
    let mut health = HashMap::new();
    let mut workers = Vec::new();
    let agency_names: Arc<HashMap<String, String>> = Arc::new(
        site.agencies
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
    );
    for spec in &site.rooms {
        let indicator = match &spec.indicator {
            Some(ind) => Some(
                Indicator::spawn(&spec.id, ind)
                    .with_context(|| format!("starting the recording light of room {}", spec.id))?,
            ),
            None => None,
        };
        if let Some(indicator) = &indicator {
            lights.insert(spec.id.clone(), indicator.clone());
        }
        if interrupted.contains(&spec.id) {
            // The light may have been left on by the recorder that died.
            if let Some(indicator) = &indicator {
                indicator.set(Light::Off);
            }
        }
        let (handle, board, task) = room::spawn(
            Arc::new(spec.clone()),
            agency_names.clone(),
            storage.clone(),
            DiskPolicy::of(&site),
            db.clone(),
            indicator,
            live.clone(),
        );
        handles.insert(spec.id.clone(), handle);
        health.insert(spec.id.clone(), board);
        workers.push(task);
    }

    // A bad certificate is found before anything listens.
    let tls = match &site.tls {
        Some(files) => Some(crate::tls::server_config(files)?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(site.listen)
        .await
        .with_context(|| {
            format!(
                "listening on {} (the `listen` address of the site file)",
                site.listen
            )
        })?;
    let addr = listener.local_addr()?;
    let public_listener =
        match site.public_listen {
            Some(public) => Some(tokio::net::TcpListener::bind(public).await.with_context(
                || format!("listening on {public} (the `public_listen` address of the site file)"),
            )?),
            None => None,
        };
    let max_exports = site.max_exports;
    let site = Arc::new(site);
    let station = match site.collect.clone() {
        Some(spec) => {
            crate::collect::spawn(crate::collect::Context {
                site: site.clone(),
                spec,
                db: db.clone(),
                storage: storage.clone(),
                runtime: tokio::runtime::Handle::current(),
            })
            .await?
        }
        None => crate::collect::Station::default(),
    };
    let state = AppState {
        site,
        db,
        rooms: Arc::new(handles),
        lights: Arc::new(lights),
        health: Arc::new(health),
        live: live.clone(),
        refusals: Arc::default(),
        exports: Arc::new(tokio::sync::Semaphore::new(max_exports)),
        site_key: public_key,
        playbacks: Default::default(),
        exchange_wake: Arc::default(),
        station,
        storage: storage.clone(),
    };
    let exchange = match state.site.exchange.clone() {
        Some(spec) => Some(crate::exchange::spawn(
            spec,
            state.db.clone(),
            state.exchange_wake.clone(),
            state.site.agencies.iter().map(|a| a.id.clone()).collect(),
        )?),
        None => None,
    };
    // The public website on its own listener, stopped after the API.
    let (stop_public, public_stopped) = tokio::sync::watch::channel(false);
    let public = public_listener.map(|listener| {
        let app = crate::public_site::router(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let mut stopped = public_stopped.clone();
        if let Ok(public) = listener.local_addr() {
            println!("public website on http://{public}");
            info!(%public, "public website ready");
        }
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.changed().await;
                })
                .await
        })
    });
    // The site API and, beside it, the desk's pages.
    let app = router(state.clone()).merge(crate::desk::router(state));
    let stopping = async move {
        shutdown.await;
        // Open event streams would otherwise keep the server waiting for displays.
        live.close();
    };
    match tls {
        None => {
            println!("listening on http://{addr}");
            info!(%addr, "site API ready");
            axum::serve(listener, app)
                .with_graceful_shutdown(stopping)
                .await
        }
        Some(config) => {
            println!("listening on https://{addr}");
            info!(%addr, "site API ready (HTTPS)");
            axum::serve(crate::tls::TlsListener::new(listener, config)?, app)
                .with_graceful_shutdown(stopping)
                .await
        }
    }
    .context("serving the site API")?;
    let _ = stop_public.send(true);
    if let Some(exchange) = exchange {
        // What was not acknowledged stays in the outbox for the next start.
        exchange.abort();
    }
    if let Some(public) = public {
        public
            .await
            .context("the public website's task")?
            .context("serving the public website")?;
    }
    // The router (and with it every room handle) is gone: each worker stops its session.
    for worker in workers {
        let _ = worker.await;
    }
    info!("controller stopped");
    Ok(())
}
