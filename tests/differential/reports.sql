-- CRM reports, as an application would run them.

-- Revenue by country (paid transactions), biggest first.
SELECT c.country, count(DISTINCT c.id) AS customers, sum(t.amount) AS revenue, round(avg(t.amount), 2) AS avg_ticket
FROM customers c JOIN transactions t ON t.customer_id = c.id
WHERE t.status = 'paid'
GROUP BY c.country ORDER BY revenue DESC, c.country;
-- Revenue by country and currency.
SELECT c.country, t.currency, sum(t.amount) FROM customers c JOIN transactions t ON t.customer_id = c.id GROUP BY 1, 2 ORDER BY 1, 2;
-- Customers per lifecycle stage, with opt-in rates.
SELECT lifecycle_stage, count(*) AS n,
       round(100.0 * sum(CASE WHEN email_opt_in THEN 1 ELSE 0 END) / count(*), 1) AS email_pct,
       round(100.0 * sum(CASE WHEN sms_opt_in THEN 1 ELSE 0 END) / count(*), 1) AS sms_pct
FROM customers GROUP BY lifecycle_stage ORDER BY n DESC, lifecycle_stage;
-- Customers per stage and lead source.
SELECT lifecycle_stage, coalesce(lead_source, '(unknown)') AS source, count(*) FROM customers GROUP BY 1, 2 ORDER BY 1, 2;
-- Last interaction date per customer.
SELECT customer_id, max(occurred_at) AS last_seen, max(occurred_at)::date AS last_day FROM interactions GROUP BY customer_id ORDER BY customer_id;
-- Customers without an interaction since 2025-07-01.
SELECT c.id, c.email, max(i.occurred_at) AS last_seen
FROM customers c LEFT JOIN interactions i ON i.customer_id = c.id
GROUP BY c.id, c.email
HAVING max(i.occurred_at) < '2025-07-01' OR max(i.occurred_at) IS NULL
ORDER BY last_seen NULLS FIRST, c.id LIMIT 100;
-- Top spenders.
SELECT c.id, c.first_name, c.last_name, sum(t.amount) AS spent, count(*) AS orders
FROM customers c JOIN transactions t ON t.customer_id = c.id AND t.status = 'paid'
GROUP BY c.id, c.first_name, c.last_name ORDER BY spent DESC, c.id LIMIT 25;
-- Monthly revenue in 2025.
SELECT date_trunc('month', occurred_at) AS month, count(*) AS orders, sum(amount) AS revenue, sum(quantity) AS units
FROM transactions WHERE occurred_at >= '2025-01-01' AND occurred_at < '2026-01-01' AND status = 'paid'
GROUP BY 1 ORDER BY 1;
-- Refund rate by category.
SELECT category, count(*) AS n, sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) AS refunds,
       round(sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) * 100.0 / count(*), 2) AS refund_pct
FROM transactions GROUP BY category ORDER BY refund_pct DESC, category;
-- Interactions per channel and outcome.
SELECT channel, outcome, count(*) FROM interactions GROUP BY channel, outcome ORDER BY channel, outcome NULLS LAST;
-- Support tickets still open, per agent.
SELECT agent, count(*) FROM interactions WHERE kind = 'support_ticket' AND outcome IN ('open', 'escalated') GROUP BY agent ORDER BY count(*) DESC, agent NULLS LAST;
-- Customer lifetime value bands.
SELECT CASE WHEN lifetime_value < 0 THEN 'negative' WHEN lifetime_value = 0 THEN 'zero' WHEN lifetime_value < 1000 THEN '< 1k' WHEN lifetime_value < 10000 THEN '1k-10k' ELSE '10k+' END AS band,
       count(*), min(lifetime_value), max(lifetime_value)
FROM customers GROUP BY 1 ORDER BY min(lifetime_value);
-- New customers per year and quarter.
SELECT extract(year FROM created_at) AS y, extract(quarter FROM created_at) AS q, count(*) FROM customers GROUP BY 1, 2 ORDER BY 1, 2;
-- Customer 360: one customer's record with counts.
SELECT c.id, c.first_name, c.last_name, c.company, count(DISTINCT i.id) AS interactions, count(DISTINCT t.id) AS transactions
FROM customers c LEFT JOIN interactions i ON i.customer_id = c.id LEFT JOIN transactions t ON t.customer_id = c.id
WHERE c.id IN (1, 2, 3, 42, 900003, 900007) GROUP BY c.id, c.first_name, c.last_name, c.company ORDER BY c.id;
-- Email domains.
SELECT lower(split_part(email, '@', 2)) AS domain, count(*) FROM customers WHERE email IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20;
-- Duplicate names (possible duplicates to merge).
SELECT lower(first_name) AS f, lower(last_name) AS l, count(*) FROM customers GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 3 DESC, 1, 2 LIMIT 30;
-- Average days from signup to first purchase, per country.
WITH first_purchase AS (SELECT customer_id, min(occurred_at) AS first_at FROM transactions GROUP BY customer_id)
SELECT c.country, count(*) AS buyers, round(avg(f.first_at::date - c.created_at::date), 1) AS avg_days
FROM customers c JOIN first_purchase f ON f.customer_id = c.id GROUP BY c.country ORDER BY c.country;
-- Payment methods by status.
SELECT coalesce(payment_method, 'n/a') AS method, status, count(*), sum(amount) FROM transactions GROUP BY 1, 2 ORDER BY 1, 2;
-- Churned customers who still had recent paid transactions.
SELECT c.id, max(t.occurred_at) FROM customers c JOIN transactions t ON t.customer_id = c.id
WHERE c.lifecycle_stage = 'churned' AND t.status = 'paid' GROUP BY c.id HAVING max(t.occurred_at) >= '2025-06-01' ORDER BY c.id;
-- Inbound vs outbound per month of 2025.
SELECT date_trunc('month', occurred_at)::date AS month,
       sum(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END) AS inbound,
       sum(CASE WHEN direction = 'outbound' THEN 1 ELSE 0 END) AS outbound
FROM interactions WHERE occurred_at >= '2025-01-01' GROUP BY 1 ORDER BY 1;
-- Busiest weekday and hour for interactions.
SELECT extract(isodow FROM occurred_at) AS dow, extract(hour FROM occurred_at) AS hour, count(*) FROM interactions GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10;
-- Contactable customers per preferred channel.
SELECT preferred_channel, count(*) FROM customers WHERE (preferred_channel = 'email' AND email_opt_in AND email IS NOT NULL) OR (preferred_channel = 'sms' AND sms_opt_in AND phone IS NOT NULL) GROUP BY 1 ORDER BY 1;
-- The same report in Europe/Berlin time.
SET TimeZone = 'Europe/Berlin';
SELECT date_trunc('month', occurred_at) AS month, count(*), sum(amount) FROM transactions WHERE occurred_at >= '2025-01-01' GROUP BY 1 ORDER BY 1;
SELECT occurred_at::date AS day, count(*) FROM transactions WHERE occurred_at >= '2025-12-20' GROUP BY 1 ORDER BY 1;
SELECT customer_id, max(occurred_at) FROM interactions WHERE customer_id < 30 GROUP BY customer_id ORDER BY customer_id;
