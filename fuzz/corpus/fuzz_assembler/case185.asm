; ip: ip version
; (ip[8] <= 128): ttl <= 128
; (ip[8] > 93): ttl > 93
; ((ip[0] & 0xf) == 5): IP options len == 0
; (tcp[22:2] == 1460): mss == 1460
; (tcp[14:2] == 65535): win size == 65535
; ((tcp[12] >> 4) == 7): TCP data offset
; (tcp[20] == 2): olayout mss
; (tcp[24] == 1): olayout nop
; (tcp[25] == 1): olayout nop
; (tcp[26] == 4): olayout sok
; ((ip[6] & 0x40) != 0): df set
; ((ip[6] & 0x80) == 0): mbz zero
; ((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * 4)) == 0): payload len == 0
;
; ipver=4
; ip and (ip[8] <= 128) and (ip[8] > 93) and ((ip[0] & 0xf) == 5) and (tcp[22:2] == 1460) and (tcp[14:2] == 65535) and ((tcp[12] >> 4) == 7) and (tcp[20] == 2) and (tcp[24] == 1) and (tcp[25] == 1) and (tcp[26] == 4) and ((ip[6] & 0x40) != 0) and ((ip[6] & 0x80) == 0) and ((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * 4)) == 0)

l000:
    ldh      [12]
l001:
    jeq      #0x800, l002, l048
l002:
    ldb      [22]
l003:
    jgt      #0x80, l048, l004
l004:
    jgt      #0x5d, l005, l048
l005:
    ldb      [14]
l006:
    and      #0xf
l007:
    jeq      #0x5, l008, l048
l008:
    ldb      [23]
l009:
    jeq      #0x6, l010, l048
l010:
    ldh      [20]
l011:
    jset     #0x1fff, l048, l012
l012:
    ldxb     4*([14]&0xf)
l013:
    ldh      [x + 36]
l014:
    jeq      #0x5b4, l015, l048
l015:
    ldh      [x + 28]
l016:
    jeq      #0xffff, l017, l048
l017:
    ldb      [x + 26]
l018:
    rsh      #4
l019:
    jeq      #0x7, l020, l048
l020:
    ldb      [x + 34]
l021:
    jeq      #0x2, l022, l048
l022:
    ldb      [x + 38]
l023:
    jeq      #0x1, l024, l048
l024:
    ldb      [x + 39]
l025:
    jeq      #0x1, l026, l048
l026:
    ldb      [x + 40]
l027:
    jeq      #0x4, l028, l048
l028:
    ldb      [20]
l029:
    jset     #0x40, l030, l048
l030:
    jset     #0x80, l048, l031
l031:
    ldh      [16]
l032:
    st       M[13]
l033:
    ldb      [14]
l034:
    and      #0xf
l035:
    mul      #4
l036:
    tax      
l037:
    ld       M[13]
l038:
    sub      x
l039:
    st       M[1]
l040:
    ldxb     4*([14]&0xf)
l041:
    ldb      [x + 26]
l042:
    rsh      #4
l043:
    mul      #4
l044:
    tax      
l045:
    ld       M[1]
l046:
    jeq      x, l047, l048
l047:
    ret      #65536
l048:
    ret      #0

