package store

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// TenantChange is what UpdateTenant changes; nil keeps a value.
type TenantChange struct {
	Name, Organization *string
	PubliclyReadable   *bool
	SetPaidUntil       bool       // set paid_until to PaidUntil (nil: never expires)
	PaidUntil          *time.Time //
	Owner              any        // the new owner, by id or username
}

// UpdateTenant changes a tenant, for by: a superuser changes anything; its
// owner changes its name, organization, publicly_readable and hands it to
// another owner, but does not renew it (paid_until). A new owner is
// authorised for the tenant and joins its Administrator and Tester groups;
// the old one stays authorised. It returns the tenant as FilterTenants
// shows it.
func (s *Store) UpdateTenant(ctx context.Context, by Principal, schema string, c TenantChange) (Tenant, error) {
	ctx = WithTenant(ctx, "")
	err := s.changeGrantsTx(ctx, "Tenant", "Tenant.update", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		t, err := q.TenantLock(ctx, schema)
		if err != nil {
			return err
		}
		switch {
		case by.IsSuperuser:
		case by.UserID != t.OwnerID:
			return Errorf(Forbidden, "Only a superuser or the owner of tenant %s can change it.", schema)
		case c.SetPaidUntil:
			return Errorf(Forbidden, "Only a superuser can change paid_until (renew a tenant).")
		}
		details := map[string]any{}
		var owner *int64
		if c.Owner != nil {
			ids, err := resolveUsers(ctx, q, []any{c.Owner})
			if err != nil {
				return err
			}
			u, err := q.UserGet(ctx, ids[0])
			if err != nil {
				return err
			}
			if err := takeOver(ctx, tx, q, schema, ids); err != nil {
				return err
			}
			owner, details["owner"] = &u.ID, u.Username
		}
		for key, v := range map[string]*string{"name": c.Name, "organization": c.Organization} {
			if v != nil {
				details[key] = *v
			}
		}
		if c.PubliclyReadable != nil {
			details["publicly_readable"] = *c.PubliclyReadable
		}
		if c.SetPaidUntil {
			details["paid_until"] = c.PaidUntil
		}
		log.tenant = &schema
		log.add(schema, details)
		return q.TenantUpdate(ctx, db.TenantUpdateParams{ID: t.ID, Name: c.Name, Organization: c.Organization,
			PubliclyReadable: c.PubliclyReadable, SetPaidUntil: c.SetPaidUntil, PaidUntil: c.PaidUntil, OwnerID: owner})
	})
	if err != nil {
		return Tenant{}, err
	}
	out, err := s.FilterTenants(ctx, Principal{IsSuperuser: true}, map[string]any{"schema_name": schema})
	if err != nil {
		return Tenant{}, err
	}
	return onlyRow(out, nil, "Tenant")
}

// takeOver authorises the users for the tenant and puts them in its
// Administrator and Tester groups, as its owner is; the transaction ends
// in public.
func takeOver(ctx context.Context, tx pgx.Tx, q *db.Queries, schema string, ids []int64) error {
	if err := inSchema(ctx, tx, schema, ""); err != nil {
		return err
	}
	if err := q.TenantAuthorize(ctx, ids); err != nil {
		return err
	}
	err := q.TenantGroupJoinByName(ctx, db.TenantGroupJoinByNameParams{UserIds: ids, Names: []string{AdministratorGroup, TesterGroup}})
	if err != nil {
		return err
	}
	return inSchema(ctx, tx, "", "")
}

var hostName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckDomain refuses what cannot be a tenant's extra host name: a
// lower-case DNS name of at least two labels, at most 253 characters.
func CheckDomain(domain string) error {
	if len(domain) > 253 || !hostName.MatchString(domain) {
		return Errorf(Invalid, "domain: %q is not a host name: use lower-case letters, digits, hyphens and dots, as in qa.example.com.", domain)
	}
	return nil
}

// SetTenantDomain gives a tenant an extra host name (add) or takes one
// away; a name another tenant has is a Conflict, a name the tenant does not
// have NotFound.
func (s *Store) SetTenantDomain(ctx context.Context, schema, domain string, add bool) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	action := "Tenant.remove_domain"
	if add {
		action = "Tenant.add_domain"
		if err := CheckDomain(domain); err != nil {
			return err
		}
	}
	ctx = WithTenant(ctx, "")
	return s.changeGrantsTx(ctx, "Tenant", action, func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		t, err := q.TenantLock(ctx, schema)
		if err != nil {
			return err
		}
		log.tenant = &schema
		log.add(schema, map[string]any{"domain": domain})
		if add {
			return q.TenantAddDomain(ctx, db.TenantAddDomainParams{Domain: domain, TenantID: t.ID})
		}
		n, err := q.TenantRemoveDomain(ctx, db.TenantRemoveDomainParams{TenantID: t.ID, Domain: domain})
		if err == nil && n == 0 {
			err = Errorf(NotFound, "Domain matching query does not exist.")
		}
		return err
	})
}
