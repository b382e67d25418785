package cloudconnexatest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// fillValue sets every field of v (pointers, slices and maps included) to
// values drawn by t, so that a round trip exercises all of them.
func fillValue(t *rapid.T, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 4 || rapid.Bool().Draw(t, "nil") {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(t, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if depth > 4 {
			return
		}
		n := rapid.IntRange(0, 2).Draw(t, "len")
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillValue(t, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range rapid.IntRange(0, 2).Draw(t, "len") {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(rapid.StringMatching(`[a-z]{1,5}`).Draw(t, "key"))
			e := reflect.New(v.Type().Elem()).Elem()
			fillValue(t, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.String:
		v.SetString(rapid.String().Draw(t, "s"))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, "b"))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(rapid.Int32().Draw(t, "i")))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(rapid.Int32().Draw(t, "f")) / 4)
	case reflect.Interface:
		v.Set(reflect.ValueOf(rapid.SampledFrom([]any{"x", 1.5, true}).Draw(t, "any")))
	}
}

// TestAssignIsUnmarshal: for every request model the fake decodes, taking
// it from the generic value (assign) gives what json.Unmarshal of the body
// gives.
func TestAssignIsUnmarshal(t *testing.T) {
	for _, model := range []any{
		gen.AccessGroupRequest{}, gen.AccessItemDestinationRequest{}, gen.AccessItemSourceRequest{}, gen.AddDomainsRequest{},
		gen.DNSRecordRequest{}, gen.DevicePostureRequest{}, gen.DeviceRequest{}, gen.HostApplicationRequest{},
		gen.HostConnectorRequest{}, gen.HostCreateRequest{}, gen.HostIPServiceRequest{}, gen.HostUpdateRequest{},
		gen.LocationContextRequest{}, gen.NetworkApplicationRequest{}, gen.NetworkConnectorRequest{}, gen.NetworkCreateRequest{},
		gen.NetworkIPServiceRequest{}, gen.NetworkRouteRequest{}, gen.NetworkUpdateRequest{}, gen.RemoveDomainsRequest{},
		gen.UserCreateRequest{}, gen.UserGroupRequest{}, gen.UserUpdateRequest{}, gen.DNSServerAddresses{}, gen.DNSZones{},
		gen.DomainRoutingSubnet{}, gen.Subnet{}, []string{}, int32(0), true,
	} {
		typ := reflect.TypeOf(model)
		t.Run(typ.String(), rapid.MakeCheck(func(rt *rapid.T) {
			src := reflect.New(typ)
			fillValue(rt, src.Elem(), 0)
			data, err := json.Marshal(src.Interface())
			require.NoError(rt, err)
			want := reflect.New(typ)
			require.NoError(rt, json.Unmarshal(data, want.Interface()))
			var generic any
			require.NoError(rt, json.Unmarshal(data, &generic))
			got := reflect.New(typ)
			require.NoError(rt, assign(got.Elem(), generic))
			assert.Equal(rt, want.Interface(), got.Interface(), "%s", data)
		}))
	}
}
