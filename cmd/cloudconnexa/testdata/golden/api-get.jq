$ cloudconnexa api GET networks --query size=2 --jq .content[].name
exit 0
--- stdout
branch
warehouse
--- stderr
