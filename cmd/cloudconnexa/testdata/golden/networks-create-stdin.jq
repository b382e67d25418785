$ cloudconnexa networks create --data - --jq .name
exit 0
--- stdout
from-stdin
--- stderr
