; ipver=4
; udp[8:2] == 0x1234

l000:
    ld       #0x0
l001:
    ldb      [9]
l002:
    jeq      #0x11, l003, l009
l003:
    ldh      [6]
l004:
    jset     #0x1fff, l009, l005
l005:
    ldxb     4*([0]&0xf)
l006:
    ldh      [x + 8]
l007:
    jeq      #0x1234, l008, l009
l008:
    ret      #65536
l009:
    ret      #0

