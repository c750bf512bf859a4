-- Scale-out with Citus: every tenant table is keyed by tenant_id (in every primary,
-- unique and foreign key), so each can be distributed by tenant_id and co-located;
-- a tenant's transaction then runs on one worker. Run once, as the owner, on the
-- coordinator after `yunying migrate`. Add each new tenant table here when it lands.
CREATE EXTENSION IF NOT EXISTS citus;

-- Global directories: replicated to every worker.
SELECT create_reference_table('tenants');
SELECT create_reference_table('login_attempts');

-- Tenant tables, co-located by tenant_id.
SELECT create_distributed_table('departments', 'tenant_id');
SELECT create_distributed_table('users', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('sessions', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('audit_log', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('search_terms', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_holds', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_reservations', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcels', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcel_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_events', 'tenant_id', colocate_with => 'departments');
