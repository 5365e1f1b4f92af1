-- name: SettingInsert :exec
-- SettingInsert stores a value unless the key already has one.
INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING;

-- name: SettingGet :one
-- SettingGet returns the value of a key.
SELECT value FROM settings WHERE key = @key;

-- name: SettingPut :exec
-- SettingPut stores a setting, replacing its value.
INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;
