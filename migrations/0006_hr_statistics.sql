-- A bulk import changes the HR tables' sizes by orders of magnitude at once; the
-- payroll query planned before autovacuum notices would use plans made for empty
-- tables (a sequential scan per employee). The runtime role owns nothing and so may
-- not ANALYZE: this owner-defined function refreshes the statistics of the HR
-- tables, and imports call it inside their own transaction (the statistics then
-- commit or roll back with the data).
CREATE FUNCTION app.analyze_hr_tables() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ ANALYZE public.employees, public.attendance, public.leave_requests, public.performance_scores $$;
REVOKE ALL ON FUNCTION app.analyze_hr_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.analyze_hr_tables() TO yunying_app;
