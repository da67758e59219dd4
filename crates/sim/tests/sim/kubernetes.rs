//! The simulated Kubernetes API for the shared day's cluster: discovery, lists and gets that
//! the client's own types read and the Kubernetes description accepts, and `Status` errors.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::List;
use opsdeck_contract::Spec;
use serde_json::Value;

use crate::harness::shared_day_at;

fn specs() -> (Spec, Spec) {
    let dir = opsdeck_contract::shared::specs_dir().join("kubernetes/client-go-testdata");
    let load = |f: &str| Spec::load(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    (
        load("api__v1_openapi.json"),
        load("apis__apps__v1_openapi.json"),
    )
}

#[tokio::test]
async fn lists_and_gets_read_as_kubernetes_objects() {
    let sim = shared_day_at("06:05").await;
    let base = sim
        .running
        .url("kubernetes/prod-eu")
        .expect("one server per context")
        .to_string();
    let (core, apps) = specs();
    let get = |path: &str| {
        let url = format!("{base}{path}");
        let client = sim.client.clone();
        async move {
            let r = client.get(url).send().await.expect("answers");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("JSON"))
        }
    };

    for path in ["/version", "/api", "/apis", "/api/v1", "/apis/apps/v1"] {
        let (status, body) = get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }

    // 06:04 scaled payments-api from 3 to 6.
    let path = "/apis/apps/v1/namespaces/payments/deployments";
    let (status, body) = get(path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(apps.validate_response("GET", path, 200, &body), Ok(()));
    let list: List<Deployment> = serde_json::from_value(body.clone()).expect("a DeploymentList");
    assert_eq!(list.items.len(), 1);
    let pay = &list.items[0];
    assert_eq!(pay.metadata.name.as_deref(), Some("payments-api"));
    assert_eq!(pay.spec.replicas, Some(6));
    let rv: u64 = body["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a numeric resourceVersion string");
    assert!(rv > 0);

    let path = "/api/v1/pods";
    let (status, body) = get(path).await;
    assert_eq!(status, 200);
    assert_eq!(core.validate_response("GET", path, 200, &body), Ok(()));
    let pods: List<Pod> = serde_json::from_value(body).expect("a PodList");
    let payments = pods
        .items
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some("payments"))
        .count();
    assert_eq!((pods.items.len(), payments), (10, 6));

    let path = "/api/v1/nodes/ip-10-0-1-11";
    let (status, body) = get(path).await;
    assert_eq!(status, 200);
    assert_eq!(core.validate_response("GET", path, 200, &body), Ok(()));
    let node: Node = serde_json::from_value(body).expect("a Node");
    assert_eq!(node.metadata.name.as_deref(), Some("ip-10-0-1-11"));

    let (status, body) = get("/apis/apps/v1/namespaces/payments/deployments/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["reason"], "NotFound");
    assert_eq!(body["message"], "deployments.apps \"nope\" not found");
    let (status, body) = get("/api/v1/secrets").await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(404)));
    sim.running.stop().await;
}

/// Reads watch events (one JSON object per line) until `done` holds for what was read.
async fn read_events(
    response: &mut reqwest::Response,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut buffer = String::new();
    let mut events = Vec::new();
    while !done(&events) {
        assert!(
            std::time::Instant::now() < deadline,
            "the watch never delivered what was expected: {events:?}"
        );
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(20), response.chunk())
            .await
            .expect("a chunk in time")
            .expect("the stream reads")
            .unwrap_or_else(|| panic!("the watch ended early: {events:?}"));
        buffer.push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            events.push(serde_json::from_str(line.trim()).expect("one JSON event per line"));
        }
    }
    events
}

#[tokio::test]
async fn watches_stream_what_changes_after_a_resource_version() {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::WatchEvent;

    let sim = shared_day_at("06:00").await;
    let base = sim
        .running
        .url("kubernetes/prod-eu")
        .expect("url")
        .to_string();
    let path = format!("{base}/apis/apps/v1/namespaces/payments/deployments");
    let list: Value = sim
        .client
        .get(&path)
        .send()
        .await
        .expect("lists")
        .json()
        .await
        .expect("JSON");
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();

    let mut watch = sim
        .client
        .get(format!(
            "{path}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=30"
        ))
        .send()
        .await
        .expect("watches");
    assert_eq!(watch.status(), 200);
    // 06:04 scales payments-api to 6: one MODIFIED deployment, then bookmarks go on.
    drop(
        sim.running
            .live()
            .advance_to(sim.running.now() + chrono::TimeDelta::minutes(5)),
    );
    let events = read_events(&mut watch, |e| {
        e.iter().any(|e| e["type"] == "MODIFIED") && e.iter().any(|e| e["type"] == "BOOKMARK")
    })
    .await;
    let modified: Vec<&Value> = events.iter().filter(|e| e["type"] == "MODIFIED").collect();
    assert_eq!(modified.len(), 1, "{events:?}");
    let typed: WatchEvent<Deployment> =
        serde_json::from_value(modified[0].clone()).expect("a watch event of a Deployment");
    match typed {
        WatchEvent::Modified(d) => assert_eq!(d.spec.replicas, Some(6)),
        other => panic!("{other:?}"),
    }
    let bookmark = events
        .iter()
        .find(|e| e["type"] == "BOOKMARK")
        .expect("a bookmark");
    let at: u64 = bookmark["object"]["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a resourceVersion");
    assert!(at > rv.parse::<u64>().expect("rv"));
    drop(watch);

    // Without a resourceVersion, the current objects come first, as ADDED.
    let mut fresh = sim
        .client
        .get(format!("{path}?watch=true&timeoutSeconds=5"))
        .send()
        .await
        .expect("watches");
    let events = read_events(&mut fresh, |e| !e.is_empty()).await;
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["metadata"]["name"], "payments-api");

    let bad = sim
        .client
        .get(format!("{path}?watch=true&resourceVersion=abc"))
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), 400);
    sim.running.stop().await;
}

#[tokio::test]
async fn a_watch_from_compacted_history_is_told_it_is_gone() {
    let sim = shared_day_at("06:00").await;
    let base = sim
        .running
        .url("kubernetes/prod-eu")
        .expect("url")
        .to_string();
    let path = format!("{base}/apis/apps/v1/namespaces/payments/deployments");
    let list = |client: reqwest::Client, path: String| async move {
        let body: Value = client
            .get(&path)
            .send()
            .await
            .expect("lists")
            .json()
            .await
            .expect("JSON");
        body["metadata"]["resourceVersion"]
            .as_str()
            .expect("rv")
            .to_string()
    };
    let old = list(sim.client.clone(), path.clone()).await;
    drop(
        sim.running
            .live()
            .advance_to(sim.running.now() + chrono::TimeDelta::minutes(5)),
    );
    assert!(sim
        .running
        .world
        .lock()
        .expect("world")
        .compact_kubernetes("prod-eu"));
    let mut stale = sim
        .client
        .get(format!(
            "{path}?watch=true&resourceVersion={old}&timeoutSeconds=5"
        ))
        .send()
        .await
        .expect("watches");
    let events = read_events(&mut stale, |e| !e.is_empty()).await;
    assert_eq!(events[0]["type"], "ERROR", "{events:?}");
    assert_eq!(events[0]["object"]["code"], 410);
    assert_eq!(events[0]["object"]["reason"], "Expired");
    // Listing again gives a resourceVersion a watch can start from.
    let fresh = list(sim.client.clone(), path.clone()).await;
    assert!(fresh.parse::<u64>().expect("rv") > old.parse::<u64>().expect("rv"));
    let ok = sim
        .client
        .get(format!(
            "{path}?watch=true&resourceVersion={fresh}&timeoutSeconds=1"
        ))
        .send()
        .await
        .expect("watches");
    assert_eq!(ok.status(), 200);
    // Nothing happened since: the stream ends at its timeout with no ERROR.
    let text = ok.text().await.expect("the stream ends");
    assert!(!text.contains("ERROR"), "{text}");
    sim.running.stop().await;
}

#[tokio::test]
async fn patches_scale_restart_and_roll_back_as_kubectl_sends_them() {
    let sim = shared_day_at("06:05").await;
    let base = sim
        .running
        .url("kubernetes/prod-eu")
        .expect("url")
        .to_string();
    let deployment = format!("{base}/apis/apps/v1/namespaces/payments/deployments/payments-api");
    let patch = |url: String, content_type: &'static str, body: Value| {
        let client = sim.client.clone();
        async move {
            let r = client
                .patch(url)
                .header("content-type", content_type)
                .body(body.to_string())
                .send()
                .await
                .expect("answers");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("JSON"))
        }
    };
    let (_, apps) = specs();

    // kubectl scale: a merge patch of the scale subresource.
    let (status, scale) = patch(
        format!("{deployment}/scale"),
        "application/merge-patch+json",
        serde_json::json!({"spec": {"replicas": 8}}),
    )
    .await;
    assert_eq!(status, 200, "{scale}");
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["spec"]["replicas"], 8);
    let pods: Value = sim
        .client
        .get(format!("{base}/api/v1/namespaces/payments/pods"))
        .send()
        .await
        .expect("lists")
        .json()
        .await
        .expect("JSON");
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(8));

    // kubectl rollout restart: a strategic patch of the template's annotations.
    let (status, restarted) = patch(
        deployment.clone(),
        "application/strategic-merge-patch+json",
        serde_json::json!({"spec": {"template": {"metadata": {"annotations":
            {"kubectl.kubernetes.io/restartedAt": "2026-05-04T06:05:00Z"}}}}}),
    )
    .await;
    assert_eq!(status, 200, "{restarted}");
    assert_eq!(
        apps.validate_response(
            "PATCH",
            "/apis/apps/v1/namespaces/payments/deployments/payments-api",
            200,
            &restarted
        ),
        Ok(())
    );
    let typed: Deployment = serde_json::from_value(restarted.clone()).expect("a Deployment");
    assert_eq!(
        typed.metadata.annotations.expect("annotations")["deployment.kubernetes.io/revision"],
        "2"
    );

    // kubectl rollout undo: the previous template, replaced whole; revision 1's ReplicaSet
    // comes back as revision 3.
    let (status, undone) = patch(
        deployment.clone(),
        "application/strategic-merge-patch+json",
        serde_json::json!({"spec": {"template": {"$patch": "replace",
            "metadata": {"labels": {"app": "payments-api"}},
            "spec": {"containers": [{"name": "payments-api",
                                     "image": "ghcr.io/acme/payments-api:1.41.0"}]}}}}),
    )
    .await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(
        undone["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    assert!(undone["spec"]["template"]["metadata"]
        .get("annotations")
        .is_none());
    let sets: Value = sim
        .client
        .get(format!(
            "{base}/apis/apps/v1/namespaces/payments/replicasets"
        ))
        .send()
        .await
        .expect("lists")
        .json()
        .await
        .expect("JSON");
    let live: Vec<&Value> = sets["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|rs| rs["spec"]["replicas"].as_u64() > Some(0))
        .collect();
    assert_eq!(live.len(), 1, "{sets}");
    assert_eq!(
        sets["items"].as_array().map(Vec::len),
        Some(2),
        "reused, not a third"
    );
    assert_eq!(
        live[0]["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );

    let (status, refused) = patch(
        deployment.clone(),
        "application/json",
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        (status, refused["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
    let (status, _) = patch(
        format!("{base}/apis/apps/v1/namespaces/payments/deployments/nope/scale"),
        "application/merge-patch+json",
        serde_json::json!({"spec": {"replicas": 1}}),
    )
    .await;
    assert_eq!(status, 404);
    sim.running.stop().await;
}

/// A pod's log as plain text: the same lines on a re-read, `tailLines` and `limitBytes` as the
/// API server cuts them, and its `Status` words for bad parameters and unknown pods.
#[tokio::test]
async fn pod_logs_are_plain_text_cut_as_asked() {
    let sim = shared_day_at("06:05").await;
    let base = sim
        .running
        .url("kubernetes/prod-eu")
        .expect("one server per context")
        .to_string();
    let pod = {
        let world = sim.running.live().advance();
        let cluster = world.kubernetes().cluster("prod-eu").expect("cluster");
        let p = cluster
            .pods
            .values()
            .find(|p| p.meta.namespace.as_deref() == Some("payments"))
            .expect("a payments pod");
        p.meta.name.clone()
    };
    let log = |query: &str| {
        let url = format!("{base}/api/v1/namespaces/payments/pods/{pod}/log{query}");
        let client = sim.client.clone();
        async move {
            let r = client.get(url).send().await.expect("answers");
            let status = r.status().as_u16();
            let kind = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            (status, kind, r.text().await.expect("text"))
        }
    };

    let (status, kind, all) = log("").await;
    assert_eq!((status, kind.as_str()), (200, "text/plain"), "{all}");
    assert!(
        all.lines()
            .next()
            .is_some_and(|l| l.contains(" starting ghcr.io/acme/payments-api:1.41.0 on ")),
        "{all}"
    );
    let (_, _, again) = log("").await;
    assert_eq!(all, again, "the same log on a re-read");

    let (_, _, tail) = log("?tailLines=3").await;
    let last3: Vec<&str> = all
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(tail.lines().collect::<Vec<_>>(), last3);
    assert!(
        tail.lines()
            .last()
            .is_some_and(|l| l.starts_with("2026-05-04T06:05:00Z INFO payments-api 1.41.0 ")),
        "the newest line is of now: {tail}"
    );

    let (_, _, cut) = log("?tailLines=3&limitBytes=25").await;
    assert_eq!(cut, &tail[..25]);

    for (query, says) in [
        ("?tailLines=-1", "tailLines: Invalid value: \"-1\""),
        ("?limitBytes=0", "limitBytes: Invalid value: 0"),
        (
            "?container=sidecar",
            "container sidecar is not valid for pod",
        ),
        (
            "?previous=true",
            "previous terminated container \"payments-api\"",
        ),
    ] {
        let (status, _, body) = log(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        let body: Value = serde_json::from_str(&body).expect("a Status");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{query}: {message}");
    }
    let missing = sim
        .client
        .get(format!("{base}/api/v1/namespaces/payments/pods/nope/log"))
        .send()
        .await
        .expect("answers");
    assert_eq!(missing.status().as_u16(), 404);
    let body: Value = missing.json().await.expect("a Status");
    assert_eq!(body["message"], "pods \"nope\" not found");
}
