-- String functions, concatenation, LIKE and ILIKE.

SELECT 'a' || 'b', 'a' || NULL, NULL || 'b', 'x' || 1 || 2.5, 1 || 'y';
SELECT 'abc' || true, 'd' || DATE '2024-02-29', 'n' || NULL::int;
SELECT concat('a', NULL, 'b', 1, 2.50, true), concat(), concat(NULL);
SELECT upper('straße'), lower('ÀÉÎ'), upper('zoë'), lower('MiXeD 123');
SELECT length(''), length('abc'), length('zoë'), length('李小龙'), length(NULL), char_length('ab'), character_length('abc');
SELECT replace('banana', 'an', 'AN'), replace('aaa', 'a', ''), replace('abc', '', 'x'), replace('abc', 'b', NULL);
SELECT left('abcdef', 2), left('abcdef', -2), left('abc', 10), left('abc', 0), right('abcdef', 2), right('abcdef', -2), right('ab', 5);
SELECT substring('abcdef', 2, 3), substring('abcdef', 0, 3), substring('abcdef', -1, 4), substring('abcdef', 4), substring('abcdef', 10);
SELECT substring('abcdef' FROM 2 FOR 2), substring('abcdef' FROM 3), substr('zoë and 李', 3, 4);
SELECT substring('abc', 1, -1);
SELECT strpos('banana', 'an'), strpos('banana', 'x'), strpos('banana', ''), position('na' IN 'banana'), position('' IN 'x');
SELECT btrim('  x  '), ltrim('  x  '), rtrim('  x  '), btrim('xxaxx', 'x'), ltrim('xyxa', 'xy'), rtrim('axyx', 'xy');
SELECT trim('  both  '), trim(leading ' ' from '  l'), trim(trailing 'z' from 'azzz'), trim(both 'ab' from 'abcab');
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 4), split_part('a,,c', ',', 2), split_part('abc', '', 1);
SELECT split_part('a,b,c', ',', 0);
SELECT split_part('a,b,c', ',', -1);
SELECT 'abc' = 'abc', 'abc' < 'abd', 'abc' < 'ab', 'B' < 'a', '' < 'a', 'Z' > 'zz', 'é' > 'z';
SELECT 'a ' = 'a', 'a' < 'a ', length('a ');
-- LIKE / ILIKE
SELECT 'abc' LIKE 'abc', 'abc' LIKE 'a%', 'abc' LIKE '%c', 'abc' LIKE '_b_', 'abc' LIKE 'a_', 'abc' LIKE '%', '' LIKE '%', '' LIKE '_';
SELECT 'ABC' LIKE 'abc', 'ABC' ILIKE 'abc', 'Straße' ILIKE 'STRASSE', 'Zoë' ILIKE 'ZOË', 'abc' NOT LIKE 'a%', 'abc' NOT ILIKE 'A%';
SELECT 'a%c' LIKE 'a\%c', 'abc' LIKE 'a\%c', 'a_c' LIKE 'a\_c', 'abc' LIKE 'a\_c', 'a\c' LIKE 'a\\c';
SELECT 'abc' LIKE 'ab\';
SELECT NULL LIKE 'a', 'a' LIKE NULL, NULL ILIKE NULL;
SELECT 'line1
line2' LIKE 'line1%line2', 'x' ~~ 'x', 'X' ~~* 'x', 'x' !~~ 'y', 'x' !~~* 'X';
SELECT 'aaa' LIKE '%a%a%a%', 'aa' LIKE '%a%a%a%', 'mississippi' LIKE '%iss%ipp%';
-- over columns
SELECT id, first_name || ' ' || last_name, upper(last_name), lower(email), length(company) FROM customers ORDER BY id LIMIT 40;
SELECT id, initcap_free FROM (SELECT id, upper(left(first_name, 1)) || lower(substring(first_name, 2)) AS initcap_free FROM customers) s ORDER BY id LIMIT 20;
SELECT id, split_part(email, '@', 2) AS domain, strpos(email, '@') FROM customers ORDER BY id LIMIT 40;
SELECT split_part(email, '@', 2) AS domain, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10;
SELECT id, company FROM customers WHERE company LIKE '%,%' ORDER BY id;
SELECT id, company FROM customers WHERE company LIKE '%"%' ORDER BY id;
SELECT id, last_name FROM customers WHERE last_name LIKE '%''%' ORDER BY id;
SELECT id, last_name FROM customers WHERE last_name ILIKE 'o''%' ORDER BY id;
SELECT id, first_name FROM customers WHERE first_name ILIKE '%ö%' OR first_name ILIKE '%Ł%' ORDER BY id;
SELECT id, external_id, length(external_id), btrim(external_id) FROM customers WHERE external_id <> btrim(external_id) ORDER BY id;
SELECT id, notes FROM interactions WHERE notes LIKE '%' || subject || '%' ORDER BY id LIMIT 5;
SELECT count(*) FROM interactions WHERE notes LIKE '%
%';
SELECT count(*), count(subject), count(notes) FROM interactions WHERE subject = '' OR notes = '';
SELECT id, email FROM customers WHERE email LIKE '%\_%' ORDER BY id LIMIT 10;
SELECT id, company FROM customers WHERE company LIKE '%\%%' OR company LIKE '%\\%' ORDER BY id;
SELECT count(*) FROM customers WHERE email ILIKE '%@EXAMPLE%';
SELECT count(*) FROM customers WHERE first_name LIKE '_';
SELECT count(*) FROM customers WHERE first_name NOT LIKE '%a%';
SELECT count(*) FROM customers WHERE phone LIKE '+%';
SELECT id, replace(phone, ' ', ''), left(phone, 3), right(phone, 4) FROM customers ORDER BY id LIMIT 30;
SELECT id, concat(first_name, ' <', email, '>') FROM customers ORDER BY id DESC LIMIT 15;
SELECT id, subject || ': ' || coalesce(notes, '(no notes)') FROM interactions ORDER BY id LIMIT 25;
SELECT max(length(notes)), min(length(notes)), sum(length(subject)) FROM interactions;
SELECT first_name, length(first_name) FROM customers WHERE length(first_name) <> length(upper(first_name)) ORDER BY 1 LIMIT 5;
SELECT substring(last_name, 1, 1) AS initial, count(*) FROM customers GROUP BY 1 ORDER BY 1;
SELECT upper(substring(country FROM 1 FOR 1)), count(*) FROM customers GROUP BY 1 ORDER BY 1;
-- quote_literal / quote_ident / quote_nullable (asyncpg's COPY query text)
SELECT quote_literal('it''s'), quote_literal('back\slash'), quote_literal(42), quote_literal(NULL::text), quote_literal(DATE '2024-02-29');
SELECT quote_nullable(NULL::text), quote_nullable('x'), quote_nullable(1.50);
SELECT quote_ident('plain'), quote_ident('Mixed'), quote_ident('with space'), quote_ident('a"b');
-- = ANY / <> ALL over an array literal (elements compared as text)
SELECT 'b' = ANY ('{a,b}'), 'c' = ANY ('{a,b}'), 'c' = ANY ('{a,NULL}'), NULL = ANY ('{a}'), 'a' <> ALL ('{a,b}'), 'c' <> ALL ('{a,b}');
SELECT 'public' = ANY (current_schemas(true)), 'pg_catalog' = ANY (current_schemas(false));
