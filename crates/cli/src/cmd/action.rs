//! `opsdeck action plan KIND TARGET [key=value …] [--json]` and
//! `opsdeck action confirm TOKEN [--type NAME] [--json]`: the same two-phase actions, rules and
//! audit as the desktop app.

use std::collections::BTreeMap;

use clap::{Args, Subcommand};
use opsdeck_domain::{ActionKind, ActionOutcome, ActionPlan, ActionRequest, ActionResult};
use opsdeck_engine::ActionFailure;

use super::Global;
use crate::exit::Failure;

#[derive(Subcommand)]
pub enum ActionCommand {
    /// Say what an action will do and print the single-use token that executes it.
    Plan(PlanArgs),
    /// Execute a planned action with its token.
    Confirm(ConfirmArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    /// `<source>.<verb>`, e.g. pagerduty.acknowledge, pagerduty.snooze.
    kind: String,
    /// What to act on, e.g. a PagerDuty incident id.
    target: String,
    /// Parameters as key=value (duration=2h, to=lee@example.com, level=2, text="…").
    #[arg(value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Print the plan as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ConfirmArgs {
    /// The token `opsdeck action plan` printed.
    token: String,
    /// The target's name, where the source's protection is type-to-confirm.
    #[arg(long = "type", value_name = "NAME")]
    typed: Option<String>,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &Global, command: ActionCommand) -> Result<(), Failure> {
    match command {
        ActionCommand::Plan(args) => plan(global, args).await,
        ActionCommand::Confirm(args) => confirm(global, args).await,
    }
}

fn parse_params(raw: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut params = BTreeMap::new();
    for item in raw {
        let Some((key, value)) = item.split_once('=') else {
            return Err(Failure::usage(format!(
                "parameter {item:?} is not key=value (for example duration=2h)"
            )));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Failure::usage(format!("parameter {item:?} has no key")));
        }
        if params.insert(key.to_string(), value.to_string()).is_some() {
            return Err(Failure::usage(format!("parameter `{key}` is given twice")));
        }
    }
    Ok(params)
}

fn failure(e: ActionFailure) -> Failure {
    if e.is_bad_input() {
        Failure::usage(e.to_string())
    } else {
        Failure::failed(e.to_string())
    }
}

async fn plan(global: &Global, args: PlanArgs) -> Result<(), Failure> {
    let kind: ActionKind = args
        .kind
        .parse()
        .map_err(|e: opsdeck_domain::UnknownName| Failure::usage(e.to_string()))?;
    let request = ActionRequest {
        kind,
        target: args.target,
        params: parse_params(&args.params)?,
    };
    let cockpit = global.open()?;
    let plan = cockpit.plan_action(request).await.map_err(failure)?;
    if args.json {
        let text = serde_json::to_string_pretty(&plan)
            .map_err(|e| Failure::failed(format!("cannot print the plan: {e}")))?;
        println!("{text}");
    } else {
        print_plan(&plan, global);
    }
    Ok(())
}

fn print_plan(plan: &ActionPlan, global: &Global) {
    println!("{}", plan.summary);
    println!("  target       {}", plan.target);
    println!("  environment  {}", plan.environment);
    println!("  risk         {}", serde_plain(&plan.risk));
    if let Some(undo) = &plan.undo {
        println!("  undo         {undo}");
    }
    for line in &plan.details {
        println!("  {line}");
    }
    let config = global
        .config
        .as_ref()
        .map(|p| format!(" --config {}", p.display()))
        .unwrap_or_default();
    let typed = plan
        .type_to_confirm
        .as_ref()
        .map(|name| format!(" --type {name}"))
        .unwrap_or_default();
    println!(
        "To do it, before {}:\n  opsdeck{config} action confirm {}{typed}",
        plan.expires_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        plan.token
    );
}

fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

async fn confirm(global: &Global, args: ConfirmArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let outcome = cockpit
        .confirm_action(&args.token, args.typed.as_deref())
        .await
        .map_err(failure)?;
    if args.json {
        let text = serde_json::to_string_pretty(&outcome)
            .map_err(|e| Failure::failed(format!("cannot print the outcome: {e}")))?;
        println!("{text}");
    } else if outcome.result == ActionResult::Succeeded {
        println!("{}", outcome.message);
    }
    finished(&outcome)
}

fn finished(outcome: &ActionOutcome) -> Result<(), Failure> {
    match outcome.result {
        ActionResult::Succeeded => Ok(()),
        ActionResult::Failed => Err(Failure::failed(format!(
            "{} {} failed: {}",
            outcome.kind, outcome.target, outcome.message
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_key_value_pairs() {
        let ok = parse_params(&["duration=2h".into(), "text=a=b c".into()]).unwrap();
        assert_eq!(ok["duration"], "2h");
        assert_eq!(ok["text"], "a=b c");
        for (bad, says) in [
            (vec!["duration"], "not key=value"),
            (vec!["=2h"], "no key"),
            (vec!["to=a", "to=b"], "given twice"),
        ] {
            let raw: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            let err = parse_params(&raw).err().unwrap();
            assert_eq!(err.code, 2);
            assert!(err.message.contains(says), "{}", err.message);
        }
    }
}
