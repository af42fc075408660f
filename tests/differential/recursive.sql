-- WITH RECURSIVE: UNION ALL and UNION, over CRM tables.

WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT count(*), sum(n) FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM r) SELECT * FROM r ORDER BY n;
WITH RECURSIVE r AS (SELECT 1 AS n, 'x' AS s UNION ALL SELECT n + 1, s || 'x' FROM r WHERE n < 4) SELECT n, s FROM r ORDER BY n;
WITH RECURSIVE days(d) AS (SELECT DATE '2024-02-27' UNION ALL SELECT d + 1 FROM days WHERE d < DATE '2024-03-02') SELECT d FROM days ORDER BY d;
-- a chain over the customers table: each customer's next id in its country
WITH RECURSIVE chain(id, country, depth) AS (
    SELECT id, country, 1 FROM customers WHERE id = 1
    UNION ALL
    SELECT c.id, c.country, chain.depth + 1 FROM chain JOIN customers c ON c.country = chain.country AND c.id = (SELECT min(id) FROM customers c2 WHERE c2.country = chain.country AND c2.id > chain.id)
    WHERE chain.depth < 6
) SELECT * FROM chain ORDER BY depth;
WITH RECURSIVE stages(stage, n) AS (SELECT lifecycle_stage, 0 FROM customers UNION SELECT stage, n + 1 FROM stages WHERE n < 2) SELECT stage, count(*) FROM stages GROUP BY stage ORDER BY stage;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3), s AS (SELECT n * 10 AS m FROM r) SELECT * FROM s ORDER BY m;
WITH RECURSIVE x AS (SELECT 5 AS v) SELECT v FROM x;
SELECT count(*) FROM customers WHERE id IN (WITH RECURSIVE r(n) AS (SELECT 1::bigint UNION ALL SELECT n * 2 FROM r WHERE n < 1000) SELECT n FROM r);
-- errors
WITH RECURSIVE r(n) AS (SELECT n FROM r) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT 1.5 FROM r WHERE false) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n, n FROM r) SELECT * FROM r;
