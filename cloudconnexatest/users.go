package cloudconnexatest

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// userOps returns the handlers of the User, Device and User Group tags.
func (h *Handler) userOps(k *resources) map[string]opFunc {
	st := h.st
	userAction := func(param string, fn func(u *gen.UserResponse)) opFunc {
		return func(r *http.Request) (any, error) {
			id := r.PathValue(param)
			u, err := k.users.find(id)
			if err != nil {
				return nil, err
			}
			fn(&u)
			st.users.put(id, "", u)
			return nil, nil
		}
	}
	return map[string]opFunc{
		"listUsers":  k.users.list,
		"getUser":    k.users.get,
		"deleteUser": k.users.remove,
		"createUser": create(h, k.users, func(id, _ string, req gen.UserCreateRequest) (gen.UserResponse, error) {
			if err := st.checkUser("", req.Username, req.Email); err != nil {
				return gen.UserResponse{}, err
			}
			group, err := st.checkGroups(req.GroupID, deref(req.SecondaryGroupIDs, nil))
			if err != nil {
				return gen.UserResponse{}, err
			}
			st.indexUser(gen.UserResponse{}, gen.UserResponse{ID: id, Username: req.Username, Email: req.Email})
			for _, d := range req.Devices {
				dev := st.newDevice(newID(), id, d)
				st.devices.put(dev.ID, id, dev)
			}
			return gen.UserResponse{
				ID: id, Username: req.Username, Email: req.Email,
				FirstName: req.FirstName, LastName: req.LastName,
				GroupID: &group, SecondaryGroupIDs: deref(req.SecondaryGroupIDs, nil),
				Role:     ptr(deref(req.Role, gen.UserRoleMember)),
				Status:   ptr(gen.UserStatusInvited),
				AuthType: ptr(gen.UserAuthTypeInternal), ConnectionStatus: ptr(gen.ConnectionStatusOffline),
				Licensed: ptr(true),
			}, nil
		}),
		"updateUser": update(h, k.users, func(id string, old gen.UserResponse, req gen.UserUpdateRequest) (gen.UserResponse, error) {
			if err := st.checkUser(id, "", req.Email); err != nil {
				return old, err
			}
			// Role, group and status are kept when the request leaves them
			// out: a PUT without a role must not demote the owner.
			group, err := st.checkGroups(cmp.Or(req.GroupID, old.GroupID), deref(req.SecondaryGroupIDs, nil))
			if err != nil {
				return old, err
			}
			st.indexUser(old, gen.UserResponse{ID: id, Username: old.Username, Email: req.Email})
			old.Email, old.FirstName, old.LastName = req.Email, req.FirstName, req.LastName
			old.GroupID, old.SecondaryGroupIDs = &group, deref(req.SecondaryGroupIDs, nil)
			old.Role = cmp.Or(req.Role, old.Role)
			old.Status = cmp.Or(req.Status, old.Status)
			return old, nil
		}),
		"suspendUser":  userAction("id", func(u *gen.UserResponse) { u.Status = ptr(gen.UserStatusSuspended) }),
		"activateUser": userAction("id", func(u *gen.UserResponse) { u.Status = ptr(gen.UserStatusActive) }),
		// The real service sends e-mails or resets factors; the fake only
		// checks the user exists.
		"resetUserMfa":            userAction("userId", func(*gen.UserResponse) {}),
		"resendUserInvitation":    userAction("id", func(*gen.UserResponse) {}),
		"forceUserPasswordChange": userAction("id", func(*gen.UserResponse) {}),

		"listDevices": k.devices.list,
		"createDevice": create(h, k.devices, func(id, parent string, req gen.DeviceRequest) (gen.DeviceResponse, error) {
			return st.newDevice(id, parent, req), nil
		}),
		"getDevice": func(r *http.Request) (any, error) {
			return st.userDevice(k, r)
		},
		"updateDevice": func(r *http.Request) (any, error) {
			d, err := st.userDevice(k, r)
			if err != nil {
				return nil, err
			}
			req, err := decodeBody[gen.DeviceRequest](h, r)
			if err != nil {
				return nil, err
			}
			d.Name, d.Description = req.Name, req.Description
			if req.ClientUUID != nil {
				d.ClientUUID = req.ClientUUID
			}
			st.devices.put(d.ID, "", d)
			return d, nil
		},
		"deleteDevice": func(r *http.Request) (any, error) {
			d, err := st.userDevice(k, r)
			if err != nil {
				return nil, err
			}
			st.devices.remove(d.ID)
			return nil, nil
		},
		"generateDeviceProfile": func(r *http.Request) (any, error) {
			d, err := st.userDevice(k, r)
			if err != nil {
				return nil, err
			}
			region := r.URL.Query().Get("regionId")
			if err := st.checkRegion("regionId", region); err != nil {
				return nil, err
			}
			return ovpnProfile("device "+d.ID, region), nil
		},
		"revokeDeviceProfile": func(r *http.Request) (any, error) {
			if _, err := st.userDevice(k, r); err != nil {
				return nil, err
			}
			return "true", nil
		},

		"listUserGroups":  k.userGroups.list,
		"getUserGroup":    k.userGroups.get,
		"deleteUserGroup": k.userGroups.remove,
		"createUserGroup": create(h, k.userGroups, func(id, _ string, req gen.UserGroupRequest) (gen.UserGroupResponse, error) {
			return st.userGroup(id, req)
		}),
		"updateUserGroup": update(h, k.userGroups, func(id string, _ gen.UserGroupResponse, req gen.UserGroupRequest) (gen.UserGroupResponse, error) {
			return st.userGroup(id, req)
		}),
	}
}

// checkUser refuses a username or e-mail address another user (not self)
// already has (case-insensitive, as the service compares them).
func (st *state) checkUser(self, username, email string) error {
	if id, ok := st.userKeys[userKey("u", username)]; ok && username != "" && id != self {
		return errBadRequest("username", "User with username %s already exists", username)
	}
	if id, ok := st.userKeys[userKey("e", email)]; ok && id != self {
		return errBadRequest("email", "User with email %s already exists", email)
	}
	return nil
}

func userKey(kind, v string) string { return kind + ":" + strings.ToLower(v) }

// indexUser records the username and e-mail of u for checkUser, replacing
// those of old (the zero value for a new user).
func (st *state) indexUser(old, u gen.UserResponse) {
	st.unindexUser(old)
	st.userKeys[userKey("u", u.Username)] = u.ID
	st.userKeys[userKey("e", u.Email)] = u.ID
}

func (st *state) unindexUser(u gen.UserResponse) {
	if u.ID == "" {
		return
	}
	for _, k := range []string{userKey("u", u.Username), userKey("e", u.Email)} {
		if st.userKeys[k] == u.ID {
			delete(st.userKeys, k)
		}
	}
}

// checkGroups checks the groups of a user, by the table of references,
// before the user's devices are made, and returns the primary one, the
// "Default" group when none is given.
func (st *state) checkGroups(primary *string, secondary []string) (string, error) {
	group := deref(primary, st.defaultGroupID)
	return group, st.checkRefs("user", gen.UserResponse{GroupID: &group, SecondaryGroupIDs: secondary})
}

func (st *state) newDevice(id, userID string, req gen.DeviceRequest) gen.DeviceResponse {
	v4, v6 := st.nextAddresses()
	return gen.DeviceResponse{
		ID: id, Name: req.Name, Description: req.Description,
		ClientUUID: ptr(deref(req.ClientUUID, newID())), UserID: ptr(userID),
		ConnectionStatus: ptr(gen.ConnectionStatusOffline), IPV4Address: &v4, IPV6Address: &v6,
	}
}

// userDevice finds the device of the id path parameter, which must belong
// to the user of the userId query parameter.
func (st *state) userDevice(k *resources, r *http.Request) (gen.DeviceResponse, error) {
	userID := r.URL.Query().Get("userId")
	if err := k.users.exists(userID); err != nil {
		return gen.DeviceResponse{}, err
	}
	id := r.PathValue("id")
	d, err := k.devices.find(id)
	if err == nil && st.devices.parentOf(id) != userID {
		err = errNotFound(k.devices.name, k.devices.label, id, false)
	}
	return d, err
}

func (st *state) userGroup(id string, req gen.UserGroupRequest) (gen.UserGroupResponse, error) {
	for i, region := range deref(req.VPNRegionIDs, nil) {
		if err := st.checkRegion(fmt.Sprintf("vpnRegionIds[%d]", i), region); err != nil {
			return gen.UserGroupResponse{}, err
		}
	}
	return gen.UserGroupResponse{
		ID: id, Name: req.Name,
		AllRegionsIncluded: ptr(deref(req.AllRegionsIncluded, len(deref(req.VPNRegionIDs, nil)) == 0)),
		ConnectAuth:        ptr(deref(req.ConnectAuth, gen.ConnectAuthOnPriorAuth)),
		InternetAccess:     ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
		MaxDevice:          ptr(deref(req.MaxDevice, int32(3))),
		GatewaysIDs:        deref(req.GatewaysIDs, nil),
		VPNRegionIDs:       deref(req.VPNRegionIDs, nil),
		TunnelBypass:       convertPtr[gen.TunnelBypassResponse](req.TunnelBypass),
		SystemSubnets:      []string{"100.96.0.0/11"},
	}, nil
}

// convertPtr is convert for optional nested models.
func convertPtr[T any, S any](src *S) *T {
	if src == nil {
		return nil
	}
	return ptr(convert[T](src, nil))
}
