package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// The audit log (docs/permissions.md#audit-log): every change to accounts,
// groups, grants, tokens, invitations and tenants writes one row per thing
// it changed, in the transaction that makes the change, so that a change
// and its record stand or fall together. Every such change goes through
// change (or changeGrantsTx, which is change plus a cache notification);
// the function making it says what it touched with changeLog.add.

type actorKey struct{}

// WithActor returns a context whose changes the audit log puts down to
// who; without one (the server's own commands) the actor is "(system)".
func WithActor(ctx context.Context, who Principal) context.Context {
	return context.WithValue(ctx, actorKey{}, who)
}

// actorOf returns the context's actor.
func actorOf(ctx context.Context) Principal {
	if p, ok := ctx.Value(actorKey{}).(Principal); ok {
		return p
	}
	return System
}

// changeLog collects the audit rows of one change.
type changeLog struct {
	action  string
	tenant  *string    // the tenant the rows belong to; nil: the context's
	actor   *Principal // who acted; nil: the context's actor
	targets []string
	details []string
}

// add records that the change touched target (a username, group name,
// schema, address ...); details are plain values that are never secret.
func (l *changeLog) add(target string, details map[string]any) {
	if details == nil {
		details = map[string]any{}
	}
	text, err := json.Marshal(details)
	if err != nil { // details are built by this package from plain values
		panic(fmt.Sprintf("audit details of %s: %v", l.action, err))
	}
	l.targets = append(l.targets, target)
	l.details = append(l.details, string(text))
}

// write inserts the collected rows, if any.
func (l *changeLog) write(ctx context.Context, q *db.Queries) error {
	if len(l.targets) == 0 {
		return nil
	}
	actor := actorOf(ctx)
	if l.actor != nil {
		actor = *l.actor
	}
	tenant := TenantOf(ctx)
	if l.tenant != nil {
		tenant = *l.tenant
	}
	return q.AuditAdd(ctx, db.AuditAddParams{At: time.Now(), Tenant: tenant, ActorID: nonZero(actor.UserID),
		Actor: actor.Username, Address: addressOf(ctx), Action: l.action, Targets: l.targets, Details: l.details})
}

// change runs fn in one transaction of the context's tenant and, before it
// commits, writes the audit rows fn added under action. Errors are
// translated for model.
func (s *Store) change(ctx context.Context, model, action string, fn func(tx pgx.Tx, q *db.Queries, log *changeLog) error) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		log := &changeLog{action: action}
		if err := fn(tx, q, log); err != nil {
			return err
		}
		return log.write(ctx, q)
	})
	return translate(err, model)
}

// AuditRow is one row of the audit log, as Audit.filter shows it.
type AuditRow struct {
	ID      int64          `json:"id" db:"id"`
	At      time.Time      `json:"at" db:"at"`
	Tenant  string         `json:"tenant" db:"tenant"`
	ActorID *int64         `json:"actor_id" db:"actor_id"`
	Actor   string         `json:"actor" db:"actor"`
	Address string         `json:"address" db:"address"`
	Action  string         `json:"action" db:"action"`
	Target  string         `json:"target" db:"target"`
	Details map[string]any `json:"details" db:"details"`
}

var auditEntity = entity(&Entity{Model: "Audit", From: "FROM audit_log a", Fields: map[string]Field{
	"id": {Expr: "a.id", Kind: IntField}, "at": {Expr: "a.at", Kind: TimeField},
	"tenant": {Expr: "a.tenant", Kind: TextField}, "actor_id": {Expr: "a.actor_id", Kind: IntField},
	"actor": {Expr: "a.actor", Kind: TextField}, "address": {Expr: "a.address", Kind: TextField},
	"action": {Expr: "a.action", Kind: TextField}, "target": {Expr: "a.target", Kind: TextField},
}})

// AuditPage is the most rows Audit.filter returns at once, oldest first;
// callers page on with {"id__gt": <last id>}.
const AuditPage = 1000

// FilterAudit answers a Kiwi query dict over the audit log, by id, at
// most AuditPage rows: a superuser's over every row, anyone else's over
// the rows of the context's tenant ("" for the public address). It reads
// without a transaction.
func (s *Store) FilterAudit(ctx context.Context, who Principal, query map[string]any) ([]AuditRow, error) {
	q := filtered(s.pool, auditEntity, query)
	var rows []db.AuditLog
	var err error
	if who.IsSuperuser {
		rows, err = q.AuditFilter(ctx, AuditPage)
	} else {
		rows, err = q.AuditFilterTenant(ctx, db.AuditFilterTenantParams{Tenant: TenantOf(ctx), Page: AuditPage})
	}
	if err != nil {
		return nil, auditEntity.translate(err)
	}
	out := make([]AuditRow, len(rows))
	for i, r := range rows {
		out[i] = AuditRow{ID: r.ID, At: r.At, Tenant: r.Tenant, ActorID: r.ActorID, Actor: r.Actor, Address: r.Address,
			Action: r.Action, Target: r.Target}
		if err := json.Unmarshal(r.Details, &out[i].Details); err != nil {
			return nil, err
		}
		wholeNumbers(out[i].Details)
	}
	return out, nil
}

// wholeNumbers turns the whole numbers JSON decoding made float64 back
// into integers, so that ids go out as XML-RPC ints, not doubles.
func wholeNumbers(m map[string]any) {
	for k, v := range m {
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			m[k] = int64(f)
		}
	}
}
