-- Window functions: ranking, lag/lead, aggregates over PostgreSQL's
-- default frame (to the current row's last peer with ORDER BY, the whole
-- partition without), in ORDER BY and in an outer query.

SELECT id, row_number() OVER (ORDER BY id) FROM customers WHERE id < 20 ORDER BY id;
SELECT id, country, row_number() OVER (PARTITION BY country ORDER BY id) AS rn FROM customers WHERE id < 60 ORDER BY country, rn;
SELECT id, lifecycle_stage, rank() OVER (ORDER BY lifecycle_stage), dense_rank() OVER (ORDER BY lifecycle_stage) FROM customers WHERE id < 40 ORDER BY lifecycle_stage, id;
SELECT id, country, rank() OVER (PARTITION BY country ORDER BY lifetime_value DESC) FROM customers WHERE id < 80 ORDER BY country, 3, id;
SELECT customer_id, amount, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC NULLS LAST) FROM transactions WHERE customer_id < 15 ORDER BY customer_id, 3, amount, id;
SELECT id, city, dense_rank() OVER (ORDER BY city NULLS FIRST) FROM customers WHERE id < 50 ORDER BY 3, id;
-- lag / lead with offsets and defaults
SELECT id, lag(id) OVER (ORDER BY id), lead(id) OVER (ORDER BY id) FROM customers WHERE id < 15 ORDER BY id;
SELECT id, lag(id, 2) OVER (ORDER BY id), lead(id, 3, -1) OVER (ORDER BY id) FROM customers WHERE id < 15 ORDER BY id;
SELECT id, lag(first_name, 1, 'none') OVER (PARTITION BY country ORDER BY id) FROM customers WHERE id < 40 ORDER BY id;
SELECT id, lag(lifetime_value, 1, 0) OVER (ORDER BY id) FROM customers WHERE id < 10 ORDER BY id;
SELECT id, lead(id, 0) OVER (ORDER BY id), lag(id, -1) OVER (ORDER BY id) FROM customers WHERE id < 10 ORDER BY id;
SELECT customer_id, occurred_at, occurred_at > lag(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, id) FROM interactions WHERE customer_id < 5 ORDER BY customer_id, occurred_at, id;
-- aggregates over windows: default frame with peers, whole partition without ORDER BY
SELECT id, country, count(*) OVER (PARTITION BY country) FROM customers WHERE id < 50 ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id), avg(id) OVER (ORDER BY id) FROM customers WHERE id < 20 ORDER BY id;
SELECT id, lifecycle_stage, count(*) OVER (ORDER BY lifecycle_stage), sum(id) OVER (ORDER BY lifecycle_stage) FROM customers WHERE id < 30 ORDER BY id;
SELECT customer_id, amount, sum(amount) OVER (PARTITION BY customer_id ORDER BY occurred_at, id) AS running FROM transactions WHERE customer_id < 10 ORDER BY customer_id, running;
SELECT customer_id, min(amount) OVER (PARTITION BY customer_id), max(amount) OVER (PARTITION BY customer_id), avg(amount) OVER (PARTITION BY customer_id) FROM transactions WHERE customer_id < 10 ORDER BY customer_id, 2, 3;
SELECT id, count(city) OVER (ORDER BY id), count(*) OVER () FROM customers WHERE id < 25 ORDER BY id;
SELECT id, sum(quantity) OVER (ORDER BY customer_id), sum(quantity) OVER (ORDER BY customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM transactions WHERE customer_id < 8 ORDER BY customer_id, 2, 3;
SELECT id, sum(quantity) OVER (PARTITION BY customer_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM transactions WHERE customer_id < 8 ORDER BY id;
SELECT id, string_agg(first_name, ',') OVER (ORDER BY id) FROM customers WHERE id < 8 ORDER BY id;
-- with GROUP BY: windows over the groups
SELECT country, count(*), rank() OVER (ORDER BY count(*) DESC), sum(count(*)) OVER () FROM customers GROUP BY country ORDER BY 3, country;
SELECT lifecycle_stage, sum(lifetime_value) AS total, row_number() OVER (ORDER BY sum(lifetime_value) DESC) FROM customers GROUP BY lifecycle_stage ORDER BY total DESC;
-- in ORDER BY, and in an outer query: the last interaction per customer
SELECT id, country FROM customers WHERE id < 30 ORDER BY row_number() OVER (PARTITION BY country ORDER BY id DESC), id;
SELECT customer_id, kind, occurred_at FROM (SELECT customer_id, kind, occurred_at, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC, id DESC) AS rn FROM interactions) s WHERE rn = 1 ORDER BY customer_id LIMIT 20;
SELECT count(*) FROM (SELECT customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC) AS rn FROM interactions) s WHERE rn = 1;
SELECT customer_id, total FROM (SELECT customer_id, sum(amount) AS total, rank() OVER (ORDER BY sum(amount) DESC) AS r FROM transactions GROUP BY customer_id) s WHERE r <= 5 ORDER BY total DESC, customer_id;
SELECT DISTINCT country, count(*) OVER (PARTITION BY country) FROM customers ORDER BY 2 DESC, 1 LIMIT 5;
SELECT row_number() OVER () FROM customers WHERE id < 4;
-- errors
SELECT id FROM customers WHERE row_number() OVER () > 1;
SELECT country FROM customers GROUP BY country HAVING rank() OVER () > 1;
SELECT sum(row_number() OVER ()) FROM customers;
SELECT row_number(id) OVER () FROM customers;
SELECT lower(first_name) OVER () FROM customers;
SELECT count(DISTINCT id) OVER () FROM customers;
-- TODO(crmdb): frames with offsets (ROWS 1 PRECEDING …) are refused (0A000).
--   SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM customers WHERE id < 5;
