    ldx 4*([0]&0xf)
    ; l3_off(0) + 8 of udp + 12 of dns
    ld #20
    add x
    tax
    ; a = x = M[0] = offset of first dns query byte
    st M[0]

lb_0:
    ; ldx M[0]
    ; Match: 036e7331076578616d706c6503636f6d00 '\x03ns1\x07example\x03com\x00'  mask=0000000000000000000000000000000000
    ld [x + 0]
    jneq #0x036e7331, lb_1
    ld [x + 4]
    jneq #0x07657861, lb_1
    ld [x + 8]
    jneq #0x6d706c65, lb_1
    ld [x + 12]
    jneq #0x03636f6d, lb_1
    ldb [x + 16]
    jneq #0x00, lb_1
    ret #0

lb_1:
    ldx M[0]
    ; Match: 036e7332076578616d706c6503636f6d00 '\x03ns2\x07example\x03com\x00'  mask=0000000000000000000000000000000000
    ld [x + 0]
    jneq #0x036e7332, lb_2
    ld [x + 4]
    jneq #0x07657861, lb_2
    ld [x + 8]
    jneq #0x6d706c65, lb_2
    ld [x + 12]
    jneq #0x03636f6d, lb_2
    ldb [x + 16]
    jneq #0x00, lb_2
    ret #0

lb_2:
    ldx M[0]
    ; Match: 036e7333076578616d706c6503636f6d00 '\x03ns3\x07example\x03com\x00'  mask=0000000000000000000000000000000000
    ld [x + 0]
    jneq #0x036e7333, lb_3
    ld [x + 4]
    jneq #0x07657861, lb_3
    ld [x + 8]
    jneq #0x6d706c65, lb_3
    ld [x + 12]
    jneq #0x03636f6d, lb_3
    ldb [x + 16]
    jneq #0x00, lb_3
    ret #0

lb_3:
    ldx M[0]
    ; Match: 036e7334076578616d706c6503636f6d00 '\x03ns4\x07example\x03com\x00'  mask=0000000000000000000000000000000000
    ld [x + 0]
    jneq #0x036e7334, lb_4
    ld [x + 4]
    jneq #0x07657861, lb_4
    ld [x + 8]
    jneq #0x6d706c65, lb_4
    ld [x + 12]
    jneq #0x03636f6d, lb_4
    ldb [x + 16]
    jneq #0x00, lb_4
    ret #0

lb_4:
    ret #65535

