//! Conditions: each offered operator and function, explanations, refusals at save.

use super::*;
use serde_json::json;

fn event() -> serde_json::Value {
    json!({
        "type": "payment_intent.succeeded",
        "data": {"object": {"amount": 4200, "currency": "usd", "receipt_email": "Ada@Example.com",
            "metadata": {"tier": "gold"}, "items": [{"qty": 2}, {"qty": 3}]}},
    })
}

fn passes(source: &str) -> bool {
    let verdict = Condition::compile(source)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
        .evaluate(&event(), &json!({"id": "con_1", "connector": "stripe"}));
    assert_eq!(verdict.error, None, "{source}");
    verdict.passed
}

/// Each operator and function a condition may use, true and false (the slice of the CEL
/// conformance suite this app relies on).
#[test]
fn every_offered_operator_and_function_evaluates_as_cel_specifies() {
    let table: &[(&str, bool)] = &[
        ("event.data.object.amount > 0", true),
        (
            "event.data.object.amount >= 4200 && event.data.object.amount <= 4200",
            true,
        ),
        ("event.data.object.amount < 100", false),
        ("event.data.object.currency == 'usd'", true),
        ("event.data.object.currency != 'usd'", false),
        ("!(event.data.object.amount == 1)", true),
        (
            "event.data.object.amount == 1 || event.type == 'payment_intent.succeeded'",
            true,
        ),
        (
            "event.data.object.amount % 100 == 0 && event.data.object.amount / 100 == 42",
            true,
        ),
        (
            "event.data.object.amount + 1 - 1 == 4200 && -event.data.object.amount * 1 == -4200",
            true,
        ),
        ("event.data.object.currency in ['usd', 'eur']", true),
        ("'tier' in event.data.object.metadata", true),
        ("has(event.data.object.metadata.tier)", true),
        ("has(event.data.object.refunded)", false),
        ("event.data.object.amount > 10 ? true : false", true),
        (
            "size(event.data.object.items) == 2 && size('abc') == 3",
            true,
        ),
        ("event.type.contains('intent')", true),
        (
            "event.type.startsWith('payment_') && event.type.endsWith('succeeded')",
            true,
        ),
        (
            "event.data.object.receipt_email.matches('^[^@]+@example\\\\.com$')",
            false,
        ),
        (
            "event.data.object.receipt_email.lowerAscii().matches('^[^@]+@example\\\\.com$')",
            true,
        ),
        (
            "event.data.object.currency.upperAscii() == 'USD' && ' x '.trim() == 'x'",
            true,
        ),
        (
            "int('42') == 42 && uint(1) == 1u && double(1) == 1.0 && string(42) == '42'",
            true,
        ),
        (
            "timestamp('2026-01-01T00:00:00Z') < timestamp('2026-06-01T00:00:00Z')",
            true,
        ),
        ("duration('1h') > duration('30m')", true),
        ("event.data.object.items.all(i, i.qty > 1)", true),
        ("event.data.object.items.exists(i, i.qty == 3)", true),
        ("event.data.object.items.exists_one(i, i.qty > 2)", true),
        (
            "event.data.object.items.map(i, i.qty).filter(q, q > 2) == [3]",
            true,
        ),
        ("connection.connector == 'stripe'", true),
    ];
    for (source, expected) in table {
        assert_eq!(passes(source), *expected, "{source}");
    }
}

#[test]
fn a_condition_that_does_not_pass_is_explained_part_by_part() {
    let condition = Condition::compile(
        "event.data.object.amount > 5000 && event.data.object.currency == 'usd'",
    )
    .unwrap();
    let verdict = condition.evaluate(&event(), &json!({}));
    assert!(!verdict.passed);
    let value_of = |expression: &str| {
        verdict
            .trace
            .iter()
            .find(|t| t.expression == expression)
            .unwrap_or_else(|| panic!("no `{expression}` in {:?}", verdict.trace))
            .value
            .clone()
    };
    assert_eq!(value_of("event.data.object.amount"), json!(4200));
    assert_eq!(value_of("event.data.object.amount > 5000"), json!(false));
    assert_eq!(value_of("event.data.object.currency == 'usd'"), json!(true));
    assert_eq!(verdict.trace[0].expression, condition.source());
}

#[test]
fn a_missing_field_is_an_explained_error_not_a_pass() {
    let verdict = Condition::compile("event.data.object.refund.amount > 0")
        .unwrap()
        .evaluate(&event(), &json!({}));
    assert!(!verdict.passed);
    assert!(verdict.error.unwrap().contains("refund"));
    assert!(verdict.trace.iter().any(|t| t.value.get("error").is_some()));
}

#[test]
fn bad_conditions_are_refused_when_saved_with_where() {
    let syntax = Condition::compile("event.amount >").unwrap_err();
    assert_eq!(syntax.line, 1, "{syntax}");
    assert!(syntax.column > 1, "{syntax}");
    let unknown = Condition::compile("event.amount > 0 &&\n  order.total > 1").unwrap_err();
    assert_eq!((unknown.line, unknown.column), (2, 3), "{unknown}");
    assert!(unknown.message.contains("`order`"));
    let function = Condition::compile("base64.encode(event.id) == ''").unwrap_err();
    assert!(function.message.contains("unknown"), "{function}");
    let deep = Condition::compile("event.a.all(x, x.b.all(y, y.c.all(z, z > 0)))").unwrap_err();
    assert!(deep.message.contains("nest"), "{deep}");
    assert!(Condition::compile(" ").is_err());
    assert!(Condition::compile(&"1 + ".repeat(2000)).is_err());
    let not_bool = Condition::compile("event.data.object.amount")
        .unwrap()
        .evaluate(&event(), &json!({}));
    assert!(not_bool.error.unwrap().contains("not true or false"));
}
