ld #len
ld #proto
ldh #vlan_tci
ldb #rand
ldx 4*([14]&0xf)
ldxb 4*([0]&0xf)
st M[1]
ldx M[1]
stx M[2]
ld M[2]
mod #3
xor x
neg
jset #0x10, a1, a2
a1: ja a2
a2: ret a
