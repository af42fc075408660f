-- INTERVAL and TIMESTAMP (without time zone): text input and output,
-- literals, arithmetic with dates and timestamps in the session time zone,
-- comparison, ordering, aggregates, extract; and tables holding them.

SELECT INTERVAL '90 days', INTERVAL '1 year 2 mons 3 days 04:05:06', '3 hours'::interval, INTERVAL '1 day 02:03:04', INTERVAL 'P1Y2M3DT4H5M6.5S';
SELECT INTERVAL '-1 day +02:03', INTERVAL '1 day -02:03:04.5', INTERVAL '-1 year -2 mons', INTERVAL '1.5 months', INTERVAL '5', INTERVAL '100:00:00', INTERVAL '0';
SELECT INTERVAL '1-2', INTERVAL '1 day ago', INTERVAL '-00:00:01', INTERVAL '02:00 1.5 days', INTERVAL '@ 1 minute ago', INTERVAL '1.5 years', INTERVAL '-1.5 weeks';
SELECT INTERVAL '1 mon -1 day', INTERVAL '1 microseconds 2 milliseconds', INTERVAL '1:30.5', INTERVAL '-1:30', INTERVAL '3 decades', INTERVAL '2 centuries', INTERVAL 'PT1.5H', INTERVAL 'P-1D', INTERVAL '1 hour 30';
SELECT '1 week'::interval, '10 mins'::interval, '1 Hour'::interval, '2 DAYS 3 HOURS'::interval, CAST('45 seconds' AS interval), '1 millennium'::interval;
SELECT INTERVAL '1 quarter';
SELECT INTERVAL '1 day 1 day';
SELECT INTERVAL 'abc';
SELECT INTERVAL '99999999999 years';
SELECT INTERVAL '2147483647 days 1 day';
SELECT INTERVAL '178956970 years 8 months';
SELECT INTERVAL '1 hour 02:00';
-- comparison: a month is 30 days, a day 24 hours
SELECT INTERVAL '1 mon' = INTERVAL '30 days', INTERVAL '1 day' > INTERVAL '23:59:59', INTERVAL '1 day' = '24 hours', INTERVAL '-1 day' < INTERVAL '0', INTERVAL '1 year' > INTERVAL '364 days';
SELECT x FROM (VALUES (INTERVAL '1 day'), (INTERVAL '1 mon'), (INTERVAL '-2 hours'), (INTERVAL '30 days'), (INTERVAL '25 hours'), (NULL)) v(x) ORDER BY x, x::text;
SELECT x, count(*) FROM (VALUES (INTERVAL '1 day'), (INTERVAL '24 hours'), (INTERVAL '1 mon'), (INTERVAL '1 day')) v(x) GROUP BY x ORDER BY x;
SELECT sum(x), avg(x), min(x), max(x), count(x) FROM (VALUES (INTERVAL '1 day'), (INTERVAL '1 mon'), (INTERVAL '2 hours'), (NULL)) v(x);
-- interval arithmetic
SELECT INTERVAL '1 day' + INTERVAL '1 hour', INTERVAL '1 day' - INTERVAL '1 hour', -INTERVAL '1 day', INTERVAL '1 day' + '1 hour', '1 day' - INTERVAL '3 hours';
SELECT INTERVAL '1 mon' * 1.5, INTERVAL '1 day' * 1.5, INTERVAL '1 mon 1 day' / 2, INTERVAL '1 hour' / 3, INTERVAL '3 days' * -2, INTERVAL '1 mon' * 0.3, 2 * INTERVAL '1 day 1 sec', INTERVAL '1 year' / 7;
SELECT INTERVAL '1 day' * 2.5::float8, 3 * INTERVAL '20 minutes', INTERVAL '90 minutes' / 4;
SELECT INTERVAL '2000000000 days' * 2;
SELECT INTERVAL '1 day' / 0;
SELECT INTERVAL '1 day' + 1;
SELECT INTERVAL '2147483647 days' + INTERVAL '1 day';
-- dates and timestamps
SELECT DATE '2024-01-31' + INTERVAL '1 month', DATE '2024-01-01' - INTERVAL '1 hour', INTERVAL '1 day' + DATE '2024-01-01', TIMESTAMP '2024-01-31 10:00' + INTERVAL '1 mon 1 day 1 hour';
SELECT DATE '2024-03-01' - DATE '2024-02-01', TIMESTAMPTZ '2024-03-01 00:00+00' - TIMESTAMPTZ '2024-01-01 12:00+00', TIMESTAMP '2024-01-01' - TIMESTAMP '2024-01-02 01:00';
SELECT TIMESTAMPTZ '2024-01-31 12:00+00' + INTERVAL '1 mon', TIMESTAMPTZ '2024-02-29 00:00+00' + INTERVAL '1 year', TIMESTAMPTZ '2024-03-31 00:00+00' - INTERVAL '1 mon 1 day', TIMESTAMPTZ '2024-01-01 00:00+00' + '36 hours';
SELECT TIMESTAMP '2024-05-06 07:08:09.5', TIMESTAMP '2024-05-06', '2024-05-06 07:08+05'::timestamp, TIMESTAMP 'infinity', CAST(TIMESTAMP '2024-05-06 23:00' AS date), CAST(DATE '2024-05-06' AS timestamp);
SELECT TIMESTAMP '2024-05-06 12:00' = TIMESTAMPTZ '2024-05-06 12:00+00', TIMESTAMP '2024-05-06 12:00' < TIMESTAMPTZ '2024-05-06 12:00:01+00', DATE '2024-05-06' = TIMESTAMP '2024-05-06', DATE '2024-05-06' - TIMESTAMP '2024-05-05 12:00';
SELECT extract(year FROM TIMESTAMP '2024-05-06 07:08:09.5'), extract(epoch FROM TIMESTAMP '2024-05-06 07:08:09.5'), date_part('hour', TIMESTAMP '2024-05-06 07:08:09'), date_trunc('month', TIMESTAMP '2024-05-06 07:08:09');
SELECT extract(timezone FROM TIMESTAMP '2024-05-06 07:08:09');
SELECT TIMESTAMPTZ 'infinity' + INTERVAL '1 day', DATE 'infinity' + INTERVAL '1 day';
SELECT TIMESTAMPTZ 'infinity' - TIMESTAMPTZ '2024-01-01 00:00+00';
SELECT TIMESTAMPTZ '294276-12-31 00:00+00' + INTERVAL '1 year';
SELECT DATE '2024-01-01' + '1 day';
SELECT now() - '1 day';
SELECT now() - INTERVAL '90 days' < now(), now() + '1 day' > now(), current_date - INTERVAL '1 day' < now(), localtimestamp - now()::timestamp < INTERVAL '1 second';
-- extract / date_part on intervals
SELECT extract(epoch FROM INTERVAL '1 year 1 mon 1 day 1.5 sec'), extract(hour FROM INTERVAL '-25 hours 3 min'), date_part('month', INTERVAL '14 mons'), extract(microseconds FROM INTERVAL '1.5 sec');
SELECT extract(millisecond FROM INTERVAL '1.5 sec'), extract(second FROM INTERVAL '61.5 sec'), extract(quarter FROM INTERVAL '5 mon'), extract(century FROM INTERVAL '250 years'), extract(day FROM INTERVAL '40 days'), extract(minute FROM INTERVAL '01:02:03');
SELECT date_part('epoch', INTERVAL '90 days'), date_part('day', INTERVAL '90 days'), extract(year FROM INTERVAL '-18 months'), extract(decade FROM INTERVAL '25 years'), extract(millennium FROM INTERVAL '2500 years');
SELECT extract(dow FROM INTERVAL '1 day');
SELECT extract(week FROM INTERVAL '1 day');
-- over columns
SELECT id, created_at, updated_at, updated_at - created_at, created_at + INTERVAL '1 mon', created_at::timestamp FROM customers ORDER BY id LIMIT 30;
SELECT id, birth_date, birth_date + INTERVAL '18 years', DATE '2026-01-01' - birth_date, (DATE '2026-01-01' - birth_date) * INTERVAL '1 day' FROM customers ORDER BY id LIMIT 30;
SELECT count(*) FROM transactions WHERE occurred_at > TIMESTAMPTZ '2025-06-01 00:00+00' - INTERVAL '90 days';
SELECT count(*) FROM interactions WHERE occurred_at >= DATE '2025-01-01' - INTERVAL '6 months' AND occurred_at < DATE '2025-01-01';
SELECT c.id, max(i.occurred_at) - min(i.occurred_at) AS span FROM customers c JOIN interactions i ON i.customer_id = c.id GROUP BY c.id ORDER BY span DESC, c.id LIMIT 20;
SELECT avg(updated_at - created_at), max(updated_at - created_at), min(updated_at - created_at), sum(updated_at - created_at) FROM customers;
SELECT count(*) FROM customers WHERE updated_at - created_at > INTERVAL '365 days';
SELECT count(*) FROM transactions WHERE occurred_at > now() - INTERVAL '90 days';
SELECT date_trunc('month', occurred_at)::date AS m, count(*) FROM transactions WHERE occurred_at >= TIMESTAMPTZ '2026-01-01 00:00+00' - INTERVAL '1 year' GROUP BY 1 ORDER BY 1;
-- tables with interval and timestamp columns
CREATE TABLE spans (id INT PRIMARY KEY, d INTERVAL, t TIMESTAMP);
INSERT INTO spans VALUES (1, '1 day', '2024-01-01 10:00'), (2, INTERVAL '1 mon', TIMESTAMP '2024-02-29'), (3, NULL, NULL), (4, '-3 hours', 'infinity'), (5, '30 days', '2024-01-31 00:00:00.5');
SELECT id, d, t, t + d, d * 2 FROM spans ORDER BY id;
SELECT id FROM spans WHERE d = INTERVAL '30 days' ORDER BY id;
SELECT d, count(*) FROM spans GROUP BY d ORDER BY d;
UPDATE spans SET d = d + INTERVAL '1 hour', t = t - INTERVAL '1 day' WHERE id < 3;
SELECT id, d, t FROM spans ORDER BY d DESC, id;
INSERT INTO spans VALUES (6, 'abc', NULL);
DROP TABLE spans;
-- time zones: month and day arithmetic in the session time zone
SET TimeZone = 'America/New_York';
SELECT TIMESTAMPTZ '2024-03-09 12:00' + INTERVAL '1 day', TIMESTAMPTZ '2024-03-09 12:00' + INTERVAL '24 hours', TIMESTAMPTZ '2024-01-31 12:00' + INTERVAL '1 mon', TIMESTAMPTZ '2024-11-03 00:30' + INTERVAL '1 hour';
SELECT TIMESTAMPTZ '2024-03-11 00:00' - TIMESTAMPTZ '2024-03-10 00:00', TIMESTAMPTZ '2024-11-02 12:00' + INTERVAL '1 day 1 hour', TIMESTAMPTZ '2024-03-10 12:00' - INTERVAL '1 day';
SELECT TIMESTAMP '2024-03-10 02:30', TIMESTAMP '2024-03-10 02:30'::timestamptz, TIMESTAMPTZ '2024-03-10 12:00+00'::timestamp, DATE '2024-03-10' + INTERVAL '1 day', DATE '2024-03-10'::timestamptz + INTERVAL '12 hours';
SELECT id, occurred_at, occurred_at + INTERVAL '1 mon', occurred_at - INTERVAL '1 day' FROM transactions ORDER BY id LIMIT 20;
SET TimeZone = 'Australia/Lord_Howe';
SELECT TIMESTAMPTZ '2024-10-05 12:00' + INTERVAL '1 day', TIMESTAMPTZ '2024-04-06 12:00' + INTERVAL '1 day', TIMESTAMPTZ '2024-10-05 12:00' + INTERVAL '24 hours';
SET TimeZone = 'UTC';
