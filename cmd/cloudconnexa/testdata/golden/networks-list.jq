$ cloudconnexa networks list --jq {name, routes: (.routes | length)}
exit 0
--- stdout
{"name":"hq","routes":3}
{"name":"branch","routes":3}
{"name":"warehouse","routes":3}
{"name":"lab","routes":3}
{"name":"datacenter","routes":3}
{"name":"store","routes":3}
{"name":"factory","routes":3}
{"name":"office","routes":3}
--- stderr
