    ldx 4*([0]&0xf)
    ; l3_off(0) + 8 of udp + 12 of dns
    ld #20
    add x
    tax
    ; a = x = M[0] = offset of first dns query byte
    ; st M[0]

lb_0:
    ; ldx M[0]
    ; Match: 03612e6203636f6d00 '\x03a.b\x03com\x00'  mask=000000000000000000
    ld [x + 0]
    jneq #0x03612e62, lb_1
    ld [x + 4]
    jneq #0x03636f6d, lb_1
    ldb [x + 8]
    jneq #0x00, lb_1
    ret #65535

lb_1:
    ret #0

