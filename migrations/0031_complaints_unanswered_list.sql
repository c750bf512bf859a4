-- `/complaints?overdue=1` in the list's own order: the open complaints nobody has
-- answered yet, closed last then by deadline (the list walked complaints_due_idx and
-- dropped the answered ones: 12,176 rows read for 50, 53 ms at 100,000 complaints;
-- bench/RESULTS.md, "After-sales and complaints").
CREATE INDEX complaints_unanswered_list_idx ON complaints (tenant_id, (closed_at IS NOT NULL), due_at, id)
    WHERE first_reply_at IS NULL;
