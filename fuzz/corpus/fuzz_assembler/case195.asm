; ip: ip version
; (ip[8] <= 64): ttl <= 64
; (ip[8] > 29): ttl > 29
; ((ip[0] & 0xf) == 5): IP options len == 0
; ((tcp[12] >> 4) == 6): TCP data offset
; (tcp[20] == 2): olayout mss
; ((ip[1] & 0x2) != 0): ecn
; ((ip[6] & 0x80) != 0): mbz non zero
; (tcp[4:4] == 0): seq- (seq num not set)
; ((tcp[tcpflags] & tcp-ack) == 0): ack+ (ack flag not set)
; (tcp[8:4] != 0): ack+ (ack num set)
; ((tcp[tcpflags] & tcp-urg) == 0): uptr+ (urg flag not set)
; (tcp[18:2] != 0): uptr+ (urg ptr set)
; ((tcp[tcpflags] & tcp-push) != 0): pushf+ (psh flag set)
; ((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * 4)) == 0): payload len == 0
;
; ipver=4
; ip and (ip[8] <= 64) and (ip[8] > 29) and ((ip[0] & 0xf) == 5) and ((tcp[12] >> 4) == 6) and (tcp[20] == 2) and ((ip[1] & 0x2) != 0) and ((ip[6] & 0x80) != 0) and (tcp[4:4] == 0) and ((tcp[tcpflags] & tcp-ack) == 0) and (tcp[8:4] != 0) and ((tcp[tcpflags] & tcp-urg) == 0) and (tcp[18:2] != 0) and ((tcp[tcpflags] & tcp-push) != 0) and ((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * 4)) == 0)

l000:
    ld       #0x0
l001:
    ldb      [8]
l002:
    jgt      #0x40, l050, l003
l003:
    jgt      #0x1d, l004, l050
l004:
    ldb      [0]
l005:
    and      #0xf
l006:
    jeq      #0x5, l007, l050
l007:
    ldb      [9]
l008:
    jeq      #0x6, l009, l050
l009:
    ldh      [6]
l010:
    jset     #0x1fff, l050, l011
l011:
    ldxb     4*([0]&0xf)
l012:
    ldb      [x + 12]
l013:
    rsh      #4
l014:
    jeq      #0x6, l015, l050
l015:
    ldb      [x + 20]
l016:
    jeq      #0x2, l017, l050
l017:
    ldb      [1]
l018:
    jset     #0x2, l019, l050
l019:
    ldb      [6]
l020:
    jset     #0x80, l021, l050
l021:
    ld       [x + 4]
l022:
    jeq      #0x0, l023, l050
l023:
    ldb      [x + 13]
l024:
    jset     #0x10, l050, l025
l025:
    ld       [x + 8]
l026:
    jeq      #0x0, l050, l027
l027:
    ldb      [x + 13]
l028:
    jset     #0x20, l050, l029
l029:
    ldh      [x + 18]
l030:
    jeq      #0x0, l050, l031
l031:
    ldb      [x + 13]
l032:
    jset     #0x8, l033, l050
l033:
    ldh      [2]
l034:
    st       M[2]
l035:
    ldb      [0]
l036:
    and      #0xf
l037:
    mul      #4
l038:
    tax      
l039:
    ld       M[2]
l040:
    sub      x
l041:
    st       M[6]
l042:
    ldxb     4*([0]&0xf)
l043:
    ldb      [x + 12]
l044:
    rsh      #4
l045:
    mul      #4
l046:
    tax      
l047:
    ld       M[6]
l048:
    jeq      x, l049, l050
l049:
    ret      #65536
l050:
    ret      #0

