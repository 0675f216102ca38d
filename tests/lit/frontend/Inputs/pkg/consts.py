import math

C = math.sqrt(2 / math.pi)
