-- Hand-made rows with edge values, added on both sides after the generated
-- data (ids from 900001, above every generated id). Every statement here
-- must succeed on both PostgreSQL and crmdb.

-- Customers: NULL in every nullable column; empty strings; extreme
-- numerics and dates; exact ties on everything but the id; non-ASCII text.
INSERT INTO customers (id, external_id, first_name, last_name, email, phone, company, country, city,
    lifecycle_stage, lead_source, preferred_channel, email_opt_in, sms_opt_in, birth_date,
    lifetime_value, created_at, updated_at) VALUES
(900001, NULL, 'Null', 'Everywhere', NULL, NULL, NULL, 'ZZ', NULL, 'lead', NULL, NULL, false, false, NULL,
    0, '2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00'),
(900002, '', '', '', '', '', '', '', '', 'lead', '', '', true, true, '1900-01-01',
    -9999999999.99, '2000-01-01 00:00:00+00', '2000-01-01 00:00:00+00'),
(900003, 'tie-a', 'Tie', 'Same', 'tie1@example.test', NULL, 'Same Co', 'ZZ', 'Same', 'customer', 'web', 'email', true, false, '2000-02-29',
    9999999999.99, '2024-02-29 23:59:59.999999+00', '2024-02-29 23:59:59.999999+00'),
(900004, 'tie-b', 'Tie', 'Same', 'tie2@example.test', NULL, 'Same Co', 'ZZ', 'Same', 'customer', 'web', 'email', true, false, '2000-02-29',
    9999999999.99, '2024-02-29 23:59:59.999999+00', '2024-02-29 23:59:59.999999+00'),
(900005, ' padded ', 'Ærøskøbing', 'ŁUKASZ', 'UPPER@EXAMPLE.TEST', '+1 (555) 010-9999', 'Comma, "Quote" & Co', 'DE', 'München', 'churned', 'partner', 'sms', false, true, '1969-12-31',
    0.01, '1999-12-31 23:00:00+00', '2026-01-01 00:00:00+00'),
(900006, 'O''Brien', 'Seán', 'O''Brien', 'obrien@example.test', '', 'percent%under_score\back', 'IE', 'Dublin', 'prospect', 'ads', 'phone', false, false, '2004-02-29',
    -0.01, '2021-03-28 01:30:00+00', '2021-10-31 01:30:00+00'),
(900007, 'no-activity', 'Idle', 'Customer', NULL, NULL, NULL, 'US', 'New York', 'customer', NULL, NULL, true, true, NULL,
    123.45, '2023-03-12 07:00:00+00', '2023-11-05 06:00:00+00');

-- Interactions: NULLs, and exact ties in time for one customer.
INSERT INTO interactions (id, customer_id, channel, direction, kind, subject, notes, agent, outcome, occurred_at) VALUES
(900001, 900001, 'email', 'inbound', 'email', NULL, NULL, NULL, NULL, '2024-02-29 12:00:00+00'),
(900002, 900003, 'phone', 'outbound', 'call', '', '', '', '', '2024-02-29 12:00:00+00'),
(900003, 900003, 'phone', 'outbound', 'call', '', '', '', '', '2024-02-29 12:00:00+00'),
(900004, 900004, 'chat', 'inbound', 'support_ticket', 'Multi
line', 'line one
line two', 'Zoë', 'open', '2024-12-31 23:59:59.999999+00'),
(900005, 900005, 'web', 'inbound', 'visit', 'ÄÖÜ', 'percent % and _', 'agent', 'resolved', '2000-01-01 00:00:00+00'),
(900006, 900006, 'sms', 'outbound', 'campaign_open', 'x', NULL, NULL, 'negative', '2021-03-28 01:30:00+00');

-- Transactions: zero and negative amounts, zero quantities, ties.
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, payment_method, occurred_at) VALUES
(900001, 900001, 'Edge', 'edge', 0, 0.00, 'EUR', 'paid', NULL, '2024-02-29 12:00:00+00'),
(900002, 900003, 'Edge', 'edge', 1, -0.01, 'EUR', 'refunded', '', '2024-02-29 12:00:00+00'),
(900003, 900003, 'Edge', 'edge', 1, -0.01, 'EUR', 'refunded', '', '2024-02-29 12:00:00+00'),
(900004, 900004, 'Big', 'edge', 2147483647, 9999999999.99, 'USD', 'pending', 'card', '2025-12-31 23:59:59+00'),
(900005, 900005, 'Small', 'edge', -2147483648, -9999999999.99, 'JPY', 'failed', 'wire', '1999-12-31 23:59:59.5+00'),
(900006, 900006, 'Half', 'edge', 3, 0.50, 'GBP', 'paid', 'cash', '2021-10-31 01:30:00+00');
