package store

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tcms/tcms"
	"github.com/tcms/tcms/store/internal/db"
)

// Tenants: each organisation's test-management tables live in its own
// PostgreSQL schema (docs/tenants.md). The tenant rides in the context;
// every statement runs with search_path "<tenant>, public", set in one
// place, when the pool hands out a connection (scopeConnections).

type tenantKey struct{}

// WithTenant returns a context whose statements run in the tenant's
// schema; "" is the public tenant. The schema must come from the tenants
// table (TenantFor), never from a caller.
func WithTenant(ctx context.Context, schema string) context.Context {
	return context.WithValue(ctx, tenantKey{}, schema)
}

// TenantOf returns the schema of the context's tenant, "" for public.
func TenantOf(ctx context.Context) string {
	s, _ := ctx.Value(tenantKey{}).(string)
	return s
}

// searchPath is the search_path that scopes statements to a tenant.
func searchPath(schema string) string {
	if schema == "" {
		return "public"
	}
	return pgx.Identifier{schema}.Sanitize() + ", public"
}

// pathKey is where a pooled connection remembers its tenant, in pgconn's
// per-connection custom data.
const pathKey = "tcms.tenant"

// scopeConnections makes every connection the pool hands out run in the
// tenant of the acquiring context. A connection remembers which tenant
// its search_path names and is switched only when the tenant changes, with
// one set_config round trip; the single-tenant and same-tenant cases cost
// nothing. New connections start in public (a startup parameter, no round
// trip). Statements prepared under another search_path stay correct:
// PostgreSQL re-plans a cached statement when search_path changes
// (TestPreparedStatementsFollowTenant).
func scopeConnections(cfg *pgxpool.Config) {
	cfg.ConnConfig.RuntimeParams["search_path"] = "public"
	cfg.PrepareConn = func(ctx context.Context, c *pgx.Conn) (bool, error) {
		want := TenantOf(ctx)
		data := c.PgConn().CustomData()
		if have, _ := data[pathKey].(string); have == want {
			return true, nil
		}
		if err := db.New(c).SearchPathSet(ctx, db.SearchPathSetParams{Path: searchPath(want)}); err != nil {
			return false, err // the connection's state is unknown: destroy it
		}
		data[pathKey] = want
		return true, nil
	}
}

// inSchema switches the transaction to a schema until it ends (set_config
// local) and runs a script there, such as the tenant part of schema.sql.
func inSchema(ctx context.Context, tx pgx.Tx, schema, script string) error {
	if err := db.New(tx).SearchPathSet(ctx, db.SearchPathSetParams{Path: searchPath(schema), Local: true}); err != nil {
		return err
	}
	if script == "" {
		return nil
	}
	_, err := tx.Exec(ctx, script)
	return err
}

// tenantMarker starts the tenant part of schema.sql.
const tenantMarker = "-- TENANT PART"

// splitSchema cuts schema.sql into its shared and tenant parts.
func splitSchema(schemaSQL string) (shared, tenant string) {
	shared, tenant, ok := strings.Cut(schemaSQL, tenantMarker)
	if !ok {
		return schemaSQL, ""
	}
	return shared, tenant
}

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// CheckSchemaName refuses names that cannot be a tenant's schema.
func CheckSchemaName(name string) error {
	if !schemaName.MatchString(name) || name == "public" || name == "information_schema" || strings.HasPrefix(name, "pg_") {
		return Errorf(Invalid, "schema_name: %q is not allowed: use 1 to 63 lower-case letters, digits and underscores, starting with a letter; public, information_schema and pg_* are reserved.", name)
	}
	return nil
}

// Tenant is an organisation served from its own schema, as Tenant.filter
// shows it.
type Tenant struct {
	ID               int64      `json:"id" db:"id"`
	SchemaName       string     `json:"schema_name" db:"schema_name"`
	Name             string     `json:"name" db:"name"`
	Organization     string     `json:"organization" db:"organization"`
	OwnerID          int64      `json:"owner" db:"owner_id"`
	OwnerUsername    string     `json:"owner__username" db:"owner_username"`
	PubliclyReadable bool       `json:"publicly_readable" db:"publicly_readable"`
	PaidUntil        *time.Time `json:"paid_until" db:"paid_until"`
	CreatedOn        time.Time  `json:"created_on" db:"created_on"`
}

// Expired reports whether the tenant's paid time is over.
func (t *Tenant) Expired(now time.Time) bool {
	return t.PaidUntil != nil && now.After(*t.PaidUntil)
}

// NewTenant is what Tenant.create and `tcms create-tenant` give.
type NewTenant struct {
	SchemaName       string
	Name             string
	Organization     string
	Owner            any // id or username
	PubliclyReadable bool
	PaidUntil        *time.Time
	Domain           string // an extra host name; "" for none
}

// CreateTenant creates a tenant in one transaction: its row, its owner's
// authorisation, its schema with the tenant part of schema.sql, and its
// Administrator and Tester groups, which the owner joins.
func (s *Store) CreateTenant(ctx context.Context, t NewTenant) (Tenant, error) {
	if err := CheckSchemaName(t.SchemaName); err != nil {
		return Tenant{}, err
	}
	if strings.TrimSpace(t.Name) == "" {
		return Tenant{}, Errorf(Invalid, "name: This field is required.")
	}
	_, tenantSQL := splitSchema(tcms.Schema)
	err := s.change(WithTenant(ctx, ""), "Tenant", "Tenant.create", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		if err := q.SchemaLock(ctx, migrateLock); err != nil {
			return err
		}
		owner, err := resolveUsers(ctx, q, []any{t.Owner})
		if err != nil {
			return err
		}
		id, err := q.TenantCreate(ctx, db.TenantCreateParams{SchemaName: t.SchemaName, Name: t.Name,
			Organization: t.Organization, OwnerID: owner[0], PubliclyReadable: t.PubliclyReadable, PaidUntil: t.PaidUntil})
		if err != nil {
			return err
		}
		log.tenant = &t.SchemaName
		log.add(t.SchemaName, map[string]any{"tenant_id": id, "name": t.Name, "owner": owner[0], "domain": t.Domain})
		if t.Domain != "" {
			if err := q.TenantAddDomain(ctx, db.TenantAddDomainParams{Domain: strings.ToLower(t.Domain), TenantID: id}); err != nil {
				return err
			}
		}
		if err := dropTombstone(ctx, tx, t.SchemaName); err != nil {
			return err
		}
		if err := createSchema(ctx, tx, t.SchemaName); err != nil {
			return err
		}
		if err := inSchema(ctx, tx, t.SchemaName, tenantSQL); err != nil {
			return err
		}
		if err := giveTenantDefaults(ctx, q); err != nil {
			return err
		}
		if err := q.TenantGroupJoinByName(ctx, db.TenantGroupJoinByNameParams{UserIds: owner,
			Names: []string{AdministratorGroup, TesterGroup}}); err != nil {
			return err
		}
		return q.AuthNotify(ctx, permsPayload)
	})
	if err != nil {
		return Tenant{}, translate(err, "Tenant")
	}
	s.cache.apply(permsPayload)
	out, err := s.FilterTenants(ctx, Principal{IsSuperuser: true}, map[string]any{"schema_name": t.SchemaName})
	if err == nil && len(out) != 1 {
		err = errors.New("created tenant not found")
	}
	if err != nil {
		return Tenant{}, err
	}
	return out[0], nil
}

// giveTenantDefaults gives the Administrator and Tester groups of the
// transaction's tenant the default labels they have not received before.
func giveTenantDefaults(ctx context.Context, q *db.Queries) error {
	for group, set := range defaultSets() {
		if err := q.TenantGroupGiveDefaults(ctx, db.TenantGroupGiveDefaultsParams{GroupName: group, Labels: set}); err != nil {
			return err
		}
	}
	return nil
}

// tenantTTL bounds how long a looked-up tenant is trusted without a
// notification.
const tenantTTL = time.Minute

// TenantFor returns the tenant a request addresses: by schema name, or
// else by one of its extra host names. A request for no known tenant is
// NotFound.
func (s *Store) TenantFor(ctx context.Context, schema, host string) (*Tenant, error) {
	key := schema + "\x00" + host
	now := time.Now()
	c := s.cache
	c.mu.Lock()
	e, ok := c.tenants[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.tenant, nil
	}
	row, err := s.q.TenantLookup(WithTenant(ctx, ""), db.TenantLookupParams{SchemaName: schema, Domain: host})
	if err != nil {
		return nil, translate(err, "Tenant")
	}
	t := &Tenant{ID: row.ID, SchemaName: row.SchemaName, Name: row.Name, Organization: row.Organization,
		OwnerID: row.OwnerID, PubliclyReadable: row.PubliclyReadable, PaidUntil: row.PaidUntil, CreatedOn: row.CreatedOn}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && gen == c.gen {
		if len(c.tenants) >= maxCached {
			clear(c.tenants)
		}
		c.tenants[key] = cachedTenant{tenant: t, expires: now.Add(tenantTTL)}
	}
	return t, nil
}

type cachedTenant struct {
	tenant  *Tenant
	expires time.Time
}

// Authorized reports whether the principal may work in the context's
// tenant: always in public, and as a superuser; otherwise when authorised
// for it and active.
func (s *Store) Authorized(ctx context.Context, who Principal) (bool, error) {
	if TenantOf(ctx) == "" || who.IsSuperuser {
		return true, nil
	}
	p, err := s.permissions(ctx, who.UserID)
	return p.authorized, err
}

var tenantEntity = entity(&Entity{Model: "Tenant", From: "FROM tenants t", Fields: map[string]Field{
	"id": {Expr: "t.id", Kind: IntField}, "schema_name": {Expr: "t.schema_name", Kind: TextField},
	"name": {Expr: "t.name", Kind: TextField}, "organization": {Expr: "t.organization", Kind: TextField},
	"publicly_readable": {Expr: "t.publicly_readable", Kind: BoolField},
	"paid_until":        {Expr: "t.paid_until", Kind: TimeField}, "created_on": {Expr: "t.created_on", Kind: TimeField},
}, Relations: map[string]Relation{
	"owner":            {Expr: "t.owner_id", To: "RelatedUser"},
	"authorized_users": {Expr: "a.user_id", Exists: "SELECT 1 FROM tenant_authorized_users a WHERE a.tenant_id = t.id", To: "RelatedUser"},
}})

// FilterTenants answers a Kiwi query dict over the tenants the principal
// may see: a superuser all, others those it is authorised for.
func (s *Store) FilterTenants(ctx context.Context, who Principal, query map[string]any) ([]Tenant, error) {
	visible := db.TenantFilterParams{Every: who.IsSuperuser, UserID: who.UserID}
	return filterRows(WithTenant(ctx, ""), s, tenantEntity, query,
		func(q *db.Queries, ctx context.Context) ([]db.TenantFilterRow, error) {
			return q.TenantFilter(ctx, visible)
		},
		func(r db.TenantFilterRow) Tenant { return Tenant(r) })
}
