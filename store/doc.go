// Package store is the data layer: a Store over a PostgreSQL pool that owns
// every transaction and turns driver errors into *Error values.
//
// Statements belong in queries/*.sql, which sqlc generates into
// store/internal/db (nothing outside store imports it); only the filter
// translator builds SQL in Go. The files here convert rows into the types
// the rest of the program uses. The rooms:
//
//   - The Store, its pool and its transactions: store.go (Open, withTx,
//     inTx, lockMatching), pool.go (bounded waits), migrate.go, rows.go
//     (row helpers).
//   - Errors: errors.go, the closed set of kinds and the one place driver
//     errors are translated (not found, conflict, invalid reference,
//     unavailable).
//   - Entity files, one per RPC namespace or table, named as in rpc/ and
//     queries/: attachment.go, bug.go, build.go, component.go, testcase.go,
//     testplan.go, testrun.go, testexecution.go, ... An entity's satellites
//     sit beside it: <entity>link.go for its tags, properties, CC and
//     links, <entity>_<aspect>.go for one more part of its namespace
//     (testcase_bulk.go, testcase_history.go, testrun_cases.go,
//     testrun_summary.go, bug_builtin.go, ...). Shared by several
//     entities: recordlink.go (tags and properties), comment.go,
//     history.go (history rows), remove.go (the guarded maintenance
//     removes) and remove_cascade.go (the removes that take executions
//     along), telemetry.go (the Testing namespace), tracker.go and
//     encrypt.go (bug trackers and their credentials).
//   - The filter translator: filter.go (Kiwi's query dicts into a WHERE
//     clause and its joins), filterrelation.go,
//     filtervalue.go, filtered.go (a filter inside a sqlc query) and
//     filterdoc.go (docs/filters.md).
//   - Tenancy (docs/tenants.md): tenant.go (a schema per organisation),
//     tenantadmin.go, tenantgroup.go, invitation.go, trustpolicy.go.
//   - Sessions, logins and accounts: session.go (Principal, sessions and
//     the cache of who is calling), login.go (throttled logins),
//     password.go, passwordreset.go, token.go (API tokens), account.go
//     and user.go.
//   - Permissions (docs/permissions.md): perms.go (each caller's labels,
//     cached), catalogue.go (every label), group.go, objperm.go (object
//     grants), escalation.go (no one hands out more than it holds),
//     export.go, audit.go (the audit log).
package store
