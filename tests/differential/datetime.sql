-- Dates and timestamps: arithmetic, extract/date_part/date_trunc, casts,
-- comparisons, and the session time zone. (No intervals: crmdb does not
-- have them yet.)

SELECT DATE '2024-02-28' + 1, DATE '2024-02-29' + 1, DATE '2023-02-28' + 1, DATE '2024-12-31' + 1, DATE '2024-03-01' - 1;
SELECT DATE '2024-03-01' - DATE '2024-02-01', DATE '2000-01-01' - DATE '2024-01-01', 30 + DATE '2024-01-01';
SELECT DATE '2024-01-01' + 366, DATE '2024-01-01' - 36500, DATE '0001-01-01' + 1;
SELECT DATE '2024-01-10' > DATE '2024-01-09', DATE '2024-01-10' = '2024-01-10', DATE '2024-01-10' < TIMESTAMPTZ '2024-01-10 00:00:01+00';
SELECT make_date(2024, 2, 29), make_date(2023, 12, 31), make_date(1, 1, 1);
SELECT make_date(2023, 2, 29);
SELECT extract(year FROM DATE '2024-02-29'), extract(month FROM DATE '2024-02-29'), extract(day FROM DATE '2024-02-29'), extract(dow FROM DATE '2024-02-29'), extract(doy FROM DATE '2024-12-31');
SELECT extract(quarter FROM DATE '2024-08-01'), extract(week FROM DATE '2024-01-01'), extract(isodow FROM DATE '2024-03-03'), extract(epoch FROM DATE '2024-01-01');
SELECT extract(century FROM DATE '2000-12-31'), extract(decade FROM DATE '2024-01-01'), extract(millennium FROM DATE '2001-01-01'), extract(isoyear FROM DATE '2021-01-01');
SELECT date_part('year', DATE '2024-02-29'), date_part('dow', DATE '2024-02-29'), date_part('epoch', DATE '1970-01-02');
SELECT extract(year FROM TIMESTAMPTZ '2024-12-31 23:30:00+00'), extract(hour FROM TIMESTAMPTZ '2024-12-31 23:30:00+00'), extract(minute FROM TIMESTAMPTZ '2024-12-31 23:30:45.25+00'), extract(second FROM TIMESTAMPTZ '2024-12-31 23:30:45.25+00');
SELECT extract(epoch FROM TIMESTAMPTZ '2024-01-01 00:00:00.5+00'), extract(milliseconds FROM TIMESTAMPTZ '2024-01-01 00:00:12.345678+00'), extract(microseconds FROM TIMESTAMPTZ '2024-01-01 00:00:12.345678+00');
SELECT date_part('hour', TIMESTAMPTZ '2024-06-01 10:00:00+00'), date_part('second', TIMESTAMPTZ '2024-06-01 10:00:07.5+00'), date_part('epoch', TIMESTAMPTZ '2024-06-01 10:00:07.5+00');
SELECT extract(timezone FROM TIMESTAMPTZ '2024-06-01 10:00:00+00');
SELECT extract(fortnight FROM DATE '2024-01-01');
SELECT extract(hour FROM DATE '2024-01-01');
SELECT date_trunc('year', TIMESTAMPTZ '2024-05-06 07:08:09.5+00'), date_trunc('quarter', TIMESTAMPTZ '2024-05-06 07:08:09+00'), date_trunc('month', TIMESTAMPTZ '2024-05-06 07:08:09+00');
SELECT date_trunc('week', TIMESTAMPTZ '2024-05-09 07:08:09+00'), date_trunc('day', TIMESTAMPTZ '2024-05-06 07:08:09+00'), date_trunc('hour', TIMESTAMPTZ '2024-05-06 07:08:09+00');
SELECT date_trunc('minute', TIMESTAMPTZ '2024-05-06 07:08:09.999+00'), date_trunc('second', TIMESTAMPTZ '2024-05-06 07:08:09.999+00'), date_trunc('milliseconds', TIMESTAMPTZ '2024-05-06 07:08:09.123456+00');
SELECT date_trunc('decade', TIMESTAMPTZ '2024-05-06 07:08:09+00'), date_trunc('century', TIMESTAMPTZ '2024-05-06 07:08:09+00');
SELECT date_trunc('month', DATE '2024-02-29');
SELECT date_trunc('fortnight', TIMESTAMPTZ '2024-05-06 07:08:09+00');
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+00', TIMESTAMPTZ '2024-02-29 12:00:00.000001+00', TIMESTAMPTZ '2024-02-29 12:00:00.1+00', TIMESTAMPTZ '2024-02-29 12:00:00.120+00';
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+05:30', TIMESTAMPTZ '2024-02-29 12:00:00 America/New_York', TIMESTAMPTZ '2024-07-01 12:00:00 Europe/Berlin';
SELECT TIMESTAMPTZ '2024-02-29', TIMESTAMPTZ '2024-02-29 12:00', '2024-02-29T12:00:00Z'::timestamptz;
SELECT TIMESTAMPTZ '1999-12-31 23:59:59.999999+00' < TIMESTAMPTZ '2000-01-01 00:00:00+00', TIMESTAMPTZ '2024-01-01 01:00:00+01' = TIMESTAMPTZ '2024-01-01 00:00:00+00';
SELECT CAST(TIMESTAMPTZ '2024-02-29 23:30:00+00' AS date), CAST(DATE '2024-02-29' AS timestamptz), CAST(TIMESTAMPTZ '2024-02-29 23:30:00+00' AS text);
-- over columns
SELECT id, created_at, updated_at, created_at::date, extract(year FROM created_at), date_trunc('month', created_at) FROM customers ORDER BY id LIMIT 25;
SELECT id, birth_date, birth_date + 30, extract(year FROM birth_date), date_part('month', birth_date), DATE '2026-01-01' - birth_date FROM customers ORDER BY id LIMIT 40;
SELECT id, occurred_at, extract(dow FROM occurred_at), extract(hour FROM occurred_at), date_trunc('week', occurred_at) FROM interactions ORDER BY id LIMIT 30;
SELECT extract(year FROM occurred_at) AS y, count(*) FROM transactions GROUP BY 1 ORDER BY 1;
SELECT date_trunc('month', occurred_at) AS m, count(*), sum(amount) FROM transactions WHERE occurred_at >= '2025-01-01' GROUP BY 1 ORDER BY 1;
SELECT extract(dow FROM occurred_at) AS dow, count(*) FROM interactions GROUP BY 1 ORDER BY 1;
SELECT extract(quarter FROM created_at) AS q, extract(year FROM created_at) AS y, count(*) FROM customers GROUP BY 2, 1 ORDER BY 2, 1;
SELECT min(birth_date), max(birth_date), min(created_at), max(created_at), max(updated_at) FROM customers;
SELECT count(*) FROM customers WHERE birth_date IS NULL;
SELECT count(*) FROM customers WHERE created_at > updated_at;
SELECT count(*) FROM customers WHERE created_at::date = updated_at::date;
SELECT count(*) FROM transactions WHERE occurred_at BETWEEN '2024-01-01' AND '2024-12-31 23:59:59.999999+00';
SELECT count(*) FROM interactions WHERE occurred_at < DATE '2022-01-01';
SELECT count(*) FROM customers WHERE extract(month FROM birth_date) = 2 AND extract(day FROM birth_date) = 29;
SELECT id, birth_date FROM customers WHERE birth_date < '1950-01-01' OR birth_date > '2005-01-01' ORDER BY birth_date, id;
SELECT c.id, t.id, t.occurred_at::date - c.created_at::date AS days FROM customers c JOIN transactions t ON t.customer_id = c.id ORDER BY c.id, t.id LIMIT 30;
SELECT extract(epoch FROM occurred_at) FROM transactions ORDER BY id LIMIT 10;
SELECT date_part('epoch', occurred_at), date_part('microseconds', occurred_at) FROM interactions ORDER BY id LIMIT 10;
-- time zones
SET TimeZone = 'America/New_York';
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+00', TIMESTAMPTZ '2024-07-01 12:00:00+00', TIMESTAMPTZ '2024-03-10 02:30:00';
SELECT TIMESTAMPTZ '2024-11-03 01:30:00', TIMESTAMPTZ '2024-03-10 07:30:00+00', '2024-06-01'::timestamptz;
SELECT extract(hour FROM TIMESTAMPTZ '2024-02-29 03:00:00+00'), extract(day FROM TIMESTAMPTZ '2024-02-29 03:00:00+00'), extract(timezone FROM TIMESTAMPTZ '2024-07-01 00:00:00+00');
SELECT date_trunc('day', TIMESTAMPTZ '2024-03-10 12:00:00+00'), date_trunc('month', TIMESTAMPTZ '2024-03-01 03:00:00+00'), date_trunc('hour', TIMESTAMPTZ '2024-11-03 05:30:00+00'), date_trunc('hour', TIMESTAMPTZ '2024-11-03 06:30:00+00');
SELECT CAST(TIMESTAMPTZ '2024-03-01 03:00:00+00' AS date), CAST(DATE '2024-07-01' AS timestamptz);
SELECT id, created_at, created_at::date, extract(hour FROM created_at), date_trunc('day', created_at) FROM customers ORDER BY id LIMIT 25;
SELECT date_trunc('day', occurred_at) AS d, count(*) FROM transactions WHERE occurred_at >= '2025-12-01' GROUP BY 1 ORDER BY 1;
SELECT id, occurred_at FROM interactions WHERE id >= 900000 ORDER BY id;
SELECT extract(epoch FROM TIMESTAMPTZ '2024-01-01 00:00:00'), date_part('epoch', DATE '2024-01-01');
SET TimeZone = 'Asia/Kolkata';
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+00', extract(minute FROM TIMESTAMPTZ '2024-02-29 12:00:00+00'), date_trunc('hour', TIMESTAMPTZ '2024-02-29 12:00:00+00');
SELECT id, occurred_at, date_trunc('day', occurred_at) FROM transactions ORDER BY id LIMIT 15;
SET TimeZone = 'Australia/Lord_Howe';
SELECT TIMESTAMPTZ '2024-04-06 15:00:00+00', TIMESTAMPTZ '2024-04-06 14:45:00+00', date_trunc('day', TIMESTAMPTZ '2024-10-05 15:30:00+00');
SET TimeZone = '+02';
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+00', extract(timezone FROM TIMESTAMPTZ '2024-02-29 12:00:00+00');
SET TimeZone = 'Europe/London';
SELECT TIMESTAMPTZ '2024-03-31 00:30:00+00', TIMESTAMPTZ '2024-03-31 01:30:00+00', TIMESTAMPTZ '1900-01-01 00:00:00+00';
SELECT date_part('hour', created_at), count(*) FROM customers GROUP BY 1 ORDER BY 1;
SET TimeZone = 'UTC';
SELECT TIMESTAMPTZ '2024-03-31 01:30:00+00';
SHOW TimeZone;
-- now() is the transaction's start, statement_timestamp() the statement's
BEGIN;
SELECT now() = current_timestamp, now() = transaction_timestamp(), now() <= statement_timestamp(), clock_timestamp() >= statement_timestamp(), localtimestamp = now()::timestamp;
SELECT now() < statement_timestamp(), clock_timestamp() > now();
COMMIT;
