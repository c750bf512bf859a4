-- The runtime role of the server's pool: may log in, not superuser, no BYPASSRLS,
-- owns nothing. Migrations (run as the owner) grant it what it needs.
-- Change the password here and in DATABASE_APP_URL.
CREATE ROLE yunying_app LOGIN PASSWORD 'change-me-app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
