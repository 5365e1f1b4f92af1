package rpc

import (
	"net/http"
	"strings"

	"github.com/tcms/tcms/store"
)

// Renewing a tenant, handing it to a new owner and giving it host names
// (docs/tenants.md#renewing-and-handing-over).

var tenantAdminMethods = []Method{
	{Name: "Tenant.update", Access: Login, Global: true, Returns: "struct",
		Doc: "Changes a tenant, by schema_name, from {name, organization, publicly_readable, paid_until (null: never expires), owner (id or username)}; other keys are refused. Superusers change anything; the tenant's owner all but paid_until (renewal). A new owner is authorised for the tenant and joins its Administrator and Tester groups. Returns the tenant as Tenant.filter does."},
	{Name: "Tenant.add_domain", Access: Perms, Perms: []string{"tcms_tenants.add_domain"}, Global: true, Returns: "nil",
		Doc: "Superusers only: serves a tenant (schema_name) also at an extra host name, which must not be under TCMS_TENANTS_DOMAIN."},
	{Name: "Tenant.remove_domain", Access: Perms, Perms: []string{"tcms_tenants.delete_domain"}, Global: true, Returns: "nil",
		Doc: "Superusers only: stops serving a tenant (schema_name) at one of its extra host names."},
}

// TenantUpdateArgs are the parameters of Tenant.update.
type TenantUpdateArgs struct {
	SchemaName string         `json:"schema_name"`
	Values     map[string]any `json:"values"`
}

// tenantUpdateKeys are the keys Tenant.update takes.
var tenantUpdateKeys = []string{"name", "organization", "publicly_readable", "paid_until", "owner"}

// Update answers Tenant.update; the store decides who may change what.
func (t *Tenant) Update(r *http.Request, args *TenantUpdateArgs, reply *store.Tenant) error {
	if err := values(args.Values).only(tenantUpdateKeys...); err != nil {
		return err
	}
	f := newForm(args.Values)
	var c store.TenantChange
	if f.has("name") {
		name := f.text("name", true, 100)
		c.Name = &name
	}
	if f.has("organization") {
		org := f.text("organization", false, 100)
		c.Organization = &org
	}
	if f.has("publicly_readable") {
		pr := f.boolean("publicly_readable", false)
		c.PubliclyReadable = &pr
	}
	if f.has("paid_until") {
		c.SetPaidUntil, c.PaidUntil = true, f.dateTime("paid_until")
	}
	if err := f.err(); err != nil {
		return err
	}
	if f.has("owner") {
		if err := oneUser(args.Values["owner"]); err != nil {
			return store.Errorf(store.Invalid, "owner: Expected a user id or username.")
		}
		c.Owner = args.Values["owner"]
	}
	var err error
	*reply, err = t.s.store.UpdateTenant(r.Context(), *caller(r), args.SchemaName, c)
	return err
}

// TenantDomainArgs are the parameters of Tenant.add_domain and
// Tenant.remove_domain.
type TenantDomainArgs struct {
	SchemaName string `json:"schema_name"`
	Domain     string `json:"domain"`
}

// AddDomain answers Tenant.add_domain.
func (t *Tenant) AddDomain(r *http.Request, args *TenantDomainArgs, _ *any) error {
	return t.setDomain(r, "Tenant.add_domain", args, true)
}

// RemoveDomain answers Tenant.remove_domain.
func (t *Tenant) RemoveDomain(r *http.Request, args *TenantDomainArgs, _ *any) error {
	return t.setDomain(r, "Tenant.remove_domain", args, false)
}

func (t *Tenant) setDomain(r *http.Request, method string, args *TenantDomainArgs, add bool) error {
	if !caller(r).IsSuperuser {
		return authFailed(method, "superuser required")
	}
	domain := strings.ToLower(strings.TrimSpace(args.Domain))
	if base := strings.ToLower(t.s.cfg.TenantsDomain); add && base != "" && (domain == base || strings.HasSuffix(domain, "."+base)) {
		return store.Errorf(store.Invalid, "domain: %s is under TCMS_TENANTS_DOMAIN (%s), whose names already pick tenants by schema.", domain, base)
	}
	return t.s.store.SetTenantDomain(r.Context(), args.SchemaName, domain, add)
}
