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
-- Supply, contracts and people.
SELECT create_distributed_table('warehouses', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('partners', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('products', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_levels', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_movements', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('product_eliminations', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('replenishment_requests', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('purchase_orders', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('purchase_order_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktakes', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktake_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktake_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contracts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contract_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contract_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('employees', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('attendance', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('attendance_uploads', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('pending_uploads', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('calendar_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('leave_requests', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('performance_scores', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('policy_versions', 'tenant_id', colocate_with => 'departments');
-- Campaigns (before the orders, which may carry one).
SELECT create_distributed_table('campaigns', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_products', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_versions', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_acks', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_metrics', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_events', 'tenant_id', colocate_with => 'departments');
-- The search index and the orders.
SELECT create_distributed_table('search_terms', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_holds', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_desk_counts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_reservations', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcels', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcel_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_numbers', 'tenant_id', colocate_with => 'departments');
-- After-sales.
SELECT create_distributed_table('after_sales', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('after_sale_receipts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('refunds', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('after_sale_events', 'tenant_id', colocate_with => 'departments');
-- Complaints.
SELECT create_distributed_table('complaints', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('complaint_events', 'tenant_id', colocate_with => 'departments');
-- Sales targets.
SELECT create_distributed_table('sales_targets', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('department_targets', 'tenant_id', colocate_with => 'departments');
-- Daily rollups (migration 0035): written by statement-level triggers with
-- transition tables on orders, refunds and stock_movements — whether Citus runs
-- those on the shards is issue 14's to try.
SELECT create_distributed_table('sales_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('product_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_days', 'tenant_id', colocate_with => 'departments');
-- The monthly report's texts.
SELECT create_distributed_table('monthly_reports', 'tenant_id', colocate_with => 'departments');
-- Not tenant data, so not here: app.bulk_set_aside (migration 0025, db::bulk) stays a
-- local table of the coordinator, beside the schema it describes. Whether a bulk load's
-- DDL (dropping and re-adding keys, NO FORCE / FORCE ROW LEVEL SECURITY around a
-- validation) behaves on distributed tables is not tried yet (issue 14).
