package client

// One iterator per list operation of the API, each a thin wrapper over the
// generic pages and cursors helpers in paginate.go. TestIteratorsCoverListOperations
// checks that no page- or cursor-based list operation is missing.

import (
	"cmp"
	"context"
	"iter"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// AllAccessGroups iterates over all access groups (operation listAccessGroups), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllAccessGroups(ctx context.Context, params *gen.ListAccessGroupsParams) iter.Seq2[gen.AccessGroupResponse, error] {
	return pages[gen.AccessGroupResponse](c, ctx, params, c.ListAccessGroups,
		func(p *gen.ListAccessGroupsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllDevicePostures iterates over all device posture policies (operation listDevicePostures), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllDevicePostures(ctx context.Context, params *gen.ListDevicePosturesParams) iter.Seq2[gen.DevicePostureResponse, error] {
	return pages[gen.DevicePostureResponse](c, ctx, params, c.ListDevicePostures,
		func(p *gen.ListDevicePosturesParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllDevices iterates over all devices (operation listDevices), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllDevices(ctx context.Context, params *gen.ListDevicesParams) iter.Seq2[gen.DeviceResponse, error] {
	return pages[gen.DeviceResponse](c, ctx, params, c.ListDevices,
		func(p *gen.ListDevicesParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllDnsRecords iterates over all DNS records (operation listDnsRecords), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllDnsRecords(ctx context.Context, params *gen.ListDnsRecordsParams) iter.Seq2[gen.DnsRecordResponse, error] {
	return pages[gen.DnsRecordResponse](c, ctx, params, c.ListDnsRecords,
		func(p *gen.ListDnsRecordsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllHosts iterates over all hosts (operation listHosts), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllHosts(ctx context.Context, params *gen.ListHostsParams) iter.Seq2[gen.HostResponse, error] {
	return pages[gen.HostResponse](c, ctx, params, c.ListHosts,
		func(p *gen.ListHostsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllHostApplications iterates over all host applications (operation listHostApplications), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllHostApplications(ctx context.Context, params *gen.ListHostApplicationsParams) iter.Seq2[gen.HostApplicationResponse, error] {
	return pages[gen.HostApplicationResponse](c, ctx, params, c.ListHostApplications,
		func(p *gen.ListHostApplicationsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllHostConnectors iterates over all host connectors (operation listHostConnectors), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllHostConnectors(ctx context.Context, params *gen.ListHostConnectorsParams) iter.Seq2[gen.HostConnectorResponse, error] {
	return pages[gen.HostConnectorResponse](c, ctx, params, c.ListHostConnectors,
		func(p *gen.ListHostConnectorsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllHostIpServices iterates over all host IP services (operation listHostIpServices), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllHostIpServices(ctx context.Context, params *gen.ListHostIpServicesParams) iter.Seq2[gen.HostIpServiceResponse, error] {
	return pages[gen.HostIpServiceResponse](c, ctx, params, c.ListHostIpServices,
		func(p *gen.ListHostIpServicesParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllLocationContexts iterates over all location contexts (operation listLocationContexts), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllLocationContexts(ctx context.Context, params *gen.ListLocationContextsParams) iter.Seq2[gen.LocationContextResponse, error] {
	return pages[gen.LocationContextResponse](c, ctx, params, c.ListLocationContexts,
		func(p *gen.ListLocationContextsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllNetworks iterates over all networks (operation listNetworks), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllNetworks(ctx context.Context, params *gen.ListNetworksParams) iter.Seq2[gen.NetworkResponse, error] {
	return pages[gen.NetworkResponse](c, ctx, params, c.ListNetworks,
		func(p *gen.ListNetworksParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllNetworkApplications iterates over all network applications (operation listNetworkApplications), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllNetworkApplications(ctx context.Context, params *gen.ListNetworkApplicationsParams) iter.Seq2[gen.NetworkApplicationResponse, error] {
	return pages[gen.NetworkApplicationResponse](c, ctx, params, c.ListNetworkApplications,
		func(p *gen.ListNetworkApplicationsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllNetworkConnectors iterates over all network connectors (operation listNetworkConnectors), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllNetworkConnectors(ctx context.Context, params *gen.ListNetworkConnectorsParams) iter.Seq2[gen.NetworkConnectorResponse, error] {
	return pages[gen.NetworkConnectorResponse](c, ctx, params, c.ListNetworkConnectors,
		func(p *gen.ListNetworkConnectorsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllNetworkIpServices iterates over all network IP services (operation listNetworkIpServices), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllNetworkIpServices(ctx context.Context, params *gen.ListNetworkIpServicesParams) iter.Seq2[gen.NetworkIpServiceResponse, error] {
	return pages[gen.NetworkIpServiceResponse](c, ctx, params, c.ListNetworkIpServices,
		func(p *gen.ListNetworkIpServicesParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllNetworkRoutes iterates over all network routes (operation listNetworkRoutes), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllNetworkRoutes(ctx context.Context, params *gen.ListNetworkRoutesParams) iter.Seq2[gen.NetworkRouteResponse, error] {
	return pages[gen.NetworkRouteResponse](c, ctx, params, c.ListNetworkRoutes,
		func(p *gen.ListNetworkRoutesParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllUserGroups iterates over all user groups (operation listUserGroups), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllUserGroups(ctx context.Context, params *gen.ListUserGroupsParams) iter.Seq2[gen.UserGroupResponse, error] {
	return pages[gen.UserGroupResponse](c, ctx, params, c.ListUserGroups,
		func(p *gen.ListUserGroupsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllUsers iterates over all users (operation listUsers), fetching pages lazily.
// params may be nil; its Page sets the first page and its Size the page size (default [DefaultPageSize]).
func (c *Client) AllUsers(ctx context.Context, params *gen.ListUsersParams) iter.Seq2[gen.UserResponse, error] {
	return pages[gen.UserResponse](c, ctx, params, c.ListUsers,
		func(p *gen.ListUsersParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllUserDnsResolutions iterates over the DNS resolutions logged for users
// (operation listUserDnsResolutions), fetching pages lazily. StartHour is
// required; Page sets the first page and Size the page size (default
// [DefaultPageSize]).
func (c *Client) AllUserDnsResolutions(ctx context.Context, params gen.ListUserDnsResolutionsParams) iter.Seq2[gen.UserDnsResolution, error] {
	return pages[gen.UserDnsResolution](c, ctx, &params, c.ListUserDnsResolutions,
		func(p *gen.ListUserDnsResolutionsParams) (**int32, **int32) { return &p.Page, &p.Size })
}

// AllSessions iterates over VPN sessions (operation listSessions), following
// nextCursor with the same filters until the last batch. A zero Size asks
// for batches of 100 (the maximum); a set Cursor resumes from there.
func (c *Client) AllSessions(ctx context.Context, params gen.ListSessionsParams) iter.Seq2[gen.SessionResponse, error] {
	params.Size = cmp.Or(params.Size, defaultBatchSize)
	return cursors(c, ctx, params, c.ListSessions,
		func(p *gen.ListSessionsParams) **string { return &p.Cursor },
		func(r *gen.SessionsResponse) ([]gen.SessionResponse, *string) { return r.Sessions, r.NextCursor })
}

// AllAuditLogs iterates over audit log entries (operation listAuditLogs),
// following nextCursor with the same filters until the last batch. A zero
// Size asks for batches of 100 (the maximum); a set Cursor resumes from there.
func (c *Client) AllAuditLogs(ctx context.Context, params gen.ListAuditLogsParams) iter.Seq2[gen.AuditLogResponse, error] {
	params.Size = cmp.Or(params.Size, defaultBatchSize)
	return cursors(c, ctx, params, c.ListAuditLogs,
		func(p *gen.ListAuditLogsParams) **string { return &p.Cursor },
		func(r *gen.AuditLogsResponse) ([]gen.AuditLogResponse, *string) { return r.AuditLogs, r.NextCursor })
}
