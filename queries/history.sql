-- name: HistoryFilter :many
-- HistoryFilter lists one record's history rows a filter matches, newest
-- first, each as its record copy with the history columns added.
SELECT (h.record || jsonb_build_object('history_id', h.history_id, 'history_date', h.history_date,
    'history_type', h.history_type, 'history_change_reason', h.history_change_reason,
    'history_user_id', h.history_user_id))::jsonb AS row
FROM history h
WHERE h.owner = @owner AND h.object_id = @object_id AND /* filter */ TRUE
ORDER BY h.history_date DESC, h.history_id DESC;

-- name: TestExecutionHistory :many
-- TestExecutionHistory lists the history rows of an execution that
-- exists, newest first: who, when, and the change reason. Updates store none (they are the CI
-- hot path): for them it is the difference between the record and the
-- one before it, a short unified-diff-like text of the keys whose values
-- differ, in key order.
SELECT hu.username AS history_user__username,
    CASE WHEN h.history_type = '~' AND h.history_change_reason IS NULL THEN history_diff(h.prev, h.record)
    ELSE h.history_change_reason END AS history_change_reason,
    h.history_date
FROM (SELECT x.*, lag(x.record) OVER (ORDER BY x.history_id) AS prev FROM history x
    WHERE x.owner = 'testruns_testexecution' AND x.object_id = @execution_id) h
LEFT JOIN users hu ON hu.id = h.history_user_id
WHERE EXISTS (SELECT 1 FROM test_executions e WHERE e.id = @execution_id)
ORDER BY h.history_date DESC, h.history_id DESC;
