-- What each attempt sent and what the vendor answered, as the delivery log keeps it: the
-- request (method, URL, headers, body) and the answer (status, the headers that decide what
-- happens next such as Retry-After, the body), all redacted and bodies cut to 4 KiB. JSON;
-- NULL for attempts recorded before this. Support bundles carry it, and an offline replay
-- answers with the recorded answers.
ALTER TABLE delivery_attempts ADD COLUMN exchange TEXT CHECK (exchange IS NULL OR json_valid(exchange));
