-- A contract's history also records the order made from it (生成订单), beside its
-- approvals and its signing.
ALTER TABLE contract_events
    DROP CONSTRAINT contract_events_action_check,
    ADD CONSTRAINT contract_events_action_check
        CHECK (action IN ('create', 'update', 'submit', 'approve', 'director_pending', 'reject', 'sign', 'order'));
