"""libpcap's own classic BPF interpreter and validator (bpf_filter, bpf_validate) through
ctypes: the independent engine the Python tests compare our programs' verdicts with."""
import ctypes


class BpfInsn(ctypes.Structure):
    """struct bpf_insn."""
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


libpcap = ctypes.CDLL("libpcap.so.0.8")
libpcap.bpf_filter.argtypes = [ctypes.POINTER(BpfInsn), ctypes.c_char_p, ctypes.c_uint,
                               ctypes.c_uint]
libpcap.bpf_filter.restype = ctypes.c_uint
libpcap.bpf_validate.argtypes = [ctypes.POINTER(BpfInsn), ctypes.c_int]
libpcap.bpf_validate.restype = ctypes.c_int
