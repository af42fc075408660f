//! EXPLAIN and EXPLAIN ANALYZE through a real `crmdb serve`: the plan is
//! a result set of one text column `QUERY PLAN` in the simple and the
//! extended protocol and in psql, naming the canonical schema's bitmap
//! indexes.

mod support;

use support::{TestServer, count};
use tokio_postgres::SimpleQueryMessage;

const CUSTOMERS: &str = "INSERT INTO customers \
    (id, first_name, last_name, email, country, lifecycle_stage, email_opt_in, lifetime_value, created_at, updated_at) VALUES \
    (1, 'Ada', 'Lovelace', 'ada@example.com', 'DE', 'customer', true, 1234.50, '2024-01-02 03:04:05+00', '2024-01-02 03:04:05+00'), \
    (2, 'Alan', 'Turing', 'alan@example.com', 'AT', 'lead', false, 0, '2024-02-03 04:05:06+00', '2024-02-03 04:05:06+00'), \
    (3, 'Grace', 'Hopper', 'grace@example.com', 'DE', 'customer', true, 99.99, '2024-03-04 05:06:07+00', '2024-03-04 05:06:07+00')";

fn lines(messages: &[SimpleQueryMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                assert_eq!(r.columns()[0].name(), "QUERY PLAN");
                Some(r.get(0).unwrap().to_owned())
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn explain_through_the_wire() {
    let server = TestServer::start(&[]);
    let client = server.connect().await;
    client.batch_execute(CUSTOMERS).await.unwrap();

    let plan = lines(
        &client
            .simple_query(
                "EXPLAIN SELECT id FROM customers WHERE country IN ('DE', 'AT') AND email_opt_in AND city IS NULL",
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        plan,
        [
            "Bitmap Heap Scan on customers",
            "  Filter: (city IS NULL)",
            "  ->  BitmapAnd",
            "        ->  Bitmap Index Scan on customers_country_bitmap",
            "              Index Cond: (country = ANY ('{DE,AT}'))",
            "        ->  Bitmap Index Scan on customers_email_opt_in_bitmap",
            "              Index Cond: email_opt_in",
        ]
    );

    // The extended protocol: parameters, Describe gives the one column.
    let stmt = client
        .prepare("EXPLAIN ANALYZE SELECT sum(lifetime_value), avg(lifetime_value) FROM customers WHERE country = $1")
        .await
        .unwrap();
    assert_eq!(stmt.columns().len(), 1);
    assert_eq!(stmt.columns()[0].name(), "QUERY PLAN");
    let rows = client.query(&stmt, &[&"DE"]).await.unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        plan[0].starts_with("Bitmap Aggregate on customers  (actual time=")
            && plan[0].ends_with(" rows=1 loops=1)"),
        "{plan:#?}"
    );
    assert!(
        plan.contains(&"  Segment Rows Read: none (value bitmaps and bit-sliced indexes)".into()),
        "{plan:#?}"
    );
    assert!(
        plan.last().unwrap().starts_with("Execution Time: "),
        "{plan:#?}"
    );
    let sums = client
        .query_one(
            "SELECT sum(lifetime_value)::text, avg(lifetime_value)::text FROM customers WHERE country = 'DE'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(sums.get::<_, String>(0), "1334.49");
    assert_eq!(sums.get::<_, String>(1), "667.2450000000000000");

    // EXPLAIN ANALYZE of a DELETE runs it; EXPLAIN alone does not.
    client
        .simple_query("EXPLAIN DELETE FROM customers WHERE id = 2")
        .await
        .unwrap();
    let n = count(&client, "customers").await;
    assert_eq!(n, 3);
    let plan = lines(
        &client
            .simple_query(
                "EXPLAIN (ANALYZE, TIMING off, SUMMARY off) DELETE FROM customers WHERE id = 2",
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        plan,
        [
            "Delete on customers  (actual rows=0 loops=1)",
            "  ->  Seq Scan on customers  (actual rows=1 loops=1)",
            "        Filter: (id = 2)",
            "        Rows Removed by Filter: 2",
        ]
    );
    let n = count(&client, "customers").await;
    assert_eq!(n, 2);

    // psql prints the plan under its QUERY PLAN header.
    let out = server.psql(&[
        "-c",
        "EXPLAIN SELECT count(*) FROM customers WHERE lifecycle_stage = 'lead'",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let want = [
        " Bitmap Aggregate on customers",
        "   Aggregates: count(*)",
        "   Segment Rows Read: none (value bitmaps and bit-sliced indexes)",
        "   ->  Bitmap Index Scan on customers_lifecycle_stage_bitmap",
        "         Index Cond: (lifecycle_stage = 'lead')",
        "(5 rows)",
    ];
    let got: Vec<&str> = stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(got[0].trim(), "QUERY PLAN", "{stdout}");
    assert_eq!(got[2..], want, "{stdout}");
}
