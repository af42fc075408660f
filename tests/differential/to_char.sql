-- to_char of timestamps, dates and numbers.

SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09.123456+00', 'YYYY-MM-DD HH24:MI:SS.MS US'), to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'HH12:MI AM am PM p.m. A.M.'), to_char(TIMESTAMPTZ '2024-03-05 00:07:09+00', 'HH HH12 FMHH12');
SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'Month Mon MONTH month mon Day Dy DAY day dy'), to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'FMMonth FMDay FMDD FMMM');
SELECT to_char(DATE '2024-03-05', 'Q WW IW D ID DDD J CC W YYY YY Y Y,YYY IYYY'), to_char(DATE '2024-01-01', 'IYYY-IW IW WW IDDD'), to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'TZ tz TZH:TZM OF');
SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', '"Quarter" Q, "day" DDth DDTH FMDDth'), to_char(TIMESTAMPTZ '2024-03-01 14:07:09+00', 'DDth'), to_char(TIMESTAMPTZ '2024-03-22 14:07:09+00', 'FMDDth'), to_char(TIMESTAMPTZ '2024-03-12 14:07:09+00', 'FMDDth'), to_char(TIMESTAMP '2024-03-05 14:07:09', 'YYYY TZ|');
SELECT to_char(DATE '0044-03-15' - 730000, 'YYYY BC AD B.C.'), to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'SSSS SSSSS RM rm FMRM'), to_char(TIMESTAMPTZ '2024-12-30 14:07:09.5+00', 'FF1 FF2 FF3 FF6 IYYY IW');
SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'YYYY/MM/DD "at" HH24"h"'), to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'Dy, DD Mon YYYY HH24:MI:SS'), to_char(TIMESTAMPTZ 'infinity', 'YYYY') IS NULL;
-- TODO(crmdb): to_char of an interval (0A000).
--   SELECT to_char(INTERVAL '1 day', 'DD');
-- numbers
SELECT to_char(12.5, '999.99'), to_char(-12.5, '999.99'), to_char(1234567, '999,999'), to_char(0.5, '9.99'), to_char(0.5, '0.99'), to_char(12, '9,999'), to_char(1234, '9,999');
SELECT to_char(12.5, 'FM999990.00'), to_char(12.5, 'FM999.99'), to_char(12, 'FM999.99'), to_char(-12.5, 'FM999,990.00'), to_char(1234567.891, '999,999,999.99'), to_char(-0.004, '990.99'), to_char(5, '0009'), to_char(-5, '0009');
SELECT to_char(12.5, 'S999.99'), to_char(-12.5, 'S999.99'), to_char(-12.5, '999.99MI'), to_char(12.5, '999.99MI'), to_char(-12.5, '999.99PR'), to_char(-12.5, 'SG999.99'), to_char(12.5, 'FMS999.99');
SELECT to_char(0, '9999'), to_char(0, 'FM9999'), to_char(0.0, 'FM0.00'), to_char(12.5, '999.99 "EUR"'), to_char(12, '99th'), to_char(2.5, '9'), to_char(-2.5, '9'), to_char(12.345, '99.9'), to_char(-0.5, 'FM9.9'), to_char(-0.5, '9.9');
SELECT to_char(1.5::float8, '9.9'), to_char(1e20::float8, '9999'), to_char(12::bigint, '0000'), to_char(1234.5, '9G999D99'), to_char(-1234.5::float8, 'FM9,999.00');
-- TODO(crmdb): the EEEE, V and RN number patterns (0A000).
--   SELECT to_char(1.5, '9.99EEEE');
-- over columns
SELECT id, to_char(created_at, 'YYYY-MM-DD HH24:MI'), to_char(created_at, 'FMMonth YYYY'), to_char(birth_date, 'DD.MM.YYYY'), to_char(lifetime_value, 'FM999,999,990.00') FROM customers ORDER BY id LIMIT 30;
SELECT to_char(occurred_at, 'YYYY-MM') AS month, to_char(sum(amount), '999,999,990.00') FROM transactions GROUP BY 1 ORDER BY 1;
SELECT to_char(occurred_at, 'Dy') AS d, count(*) FROM interactions GROUP BY 1 ORDER BY 1;
SELECT to_char(occurred_at, 'IYYY-IW') AS w, count(*) FROM interactions WHERE occurred_at >= '2025-01-01' GROUP BY 1 ORDER BY 1 LIMIT 20;
SELECT id, to_char(amount, 'S9,999,999.99'), to_char(quantity, '000') FROM transactions ORDER BY id LIMIT 20;
SET TimeZone = 'America/New_York';
SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'YYYY-MM-DD HH24:MI TZ OF'), to_char(TIMESTAMPTZ '2024-07-05 14:07:09+00', 'TZ OF TZH TZM'), to_char(DATE '2024-07-05', 'YYYY-MM-DD HH24:MI TZ');
SELECT id, to_char(occurred_at, 'YYYY-MM-DD HH12:MI AM TZ') FROM interactions ORDER BY id LIMIT 15;
SET TimeZone = 'Asia/Kolkata';
SELECT to_char(TIMESTAMPTZ '2024-03-05 14:07:09+00', 'TZ OF TZH TZM');
SET TimeZone = 'UTC';
