from nxc import defn


@defn
def twice(x):
    return x * 2
