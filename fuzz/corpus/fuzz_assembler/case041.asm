    ldx 4*([18]&0xf)
    ; l3_off(18) + 8 of udp + 12 of dns
    ld #38
    add x
    tax
    ; a = x = M[0] = offset of first dns query byte
    ; st M[0]

lb_0:
    ; ldx M[0]
    ; Match: *{1-20}
    ldb [x + 0]
    jlt #1, lb_1
    jgt #20, lb_1
    add x
    add #1
    tax
    ; Match: 0161016200 '\x01a\x01b\x00'  mask=0000000000
    ld [x + 0]
    jneq #0x01610162, lb_1
    ldb [x + 4]
    jneq #0x00, lb_1
    ret #65535

lb_1:
    ret #0

