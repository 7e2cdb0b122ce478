    ldx 4*([0]&0xf)
    ; l3_off(0) + 8 of udp + 12 of dns
    ld #20
    add x
    tax
    ; a = x = M[0] = offset of first dns query byte
    ; st M[0]

lb_0:
    ; ldx M[0]
    ; Match: 076578616d706c65 '\x07example'  mask=0000000000000000
    ld [x + 0]
    jneq #0x07657861, lb_1
    ld [x + 4]
    jneq #0x6d706c65, lb_1
    ret #0

lb_1:
    ret #65535

