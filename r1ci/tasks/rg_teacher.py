"""The scripted teacher's program writers for Reasoning-Gym tasks, keyed by task name (conventions:
r1ci.tasks.teaching).

Most writers copy the question's values from the item's metadata where the question prints them the same
way, and otherwise cut them out of the question text (`found`); `script` lays out every script the same
way: the body's leading imports, the data block, a blank line, the computation. Not here: the other 39
Reasoning-Gym tasks (the 21 of the test split, and 18 train tasks that no short program solves from the
question alone, or whose answer is a grid of several lines where a script's answer is its last line).
"""

import math
import re
import textwrap

from r1ci.tasks.teaching import Solution, found, meta, script, script_with_functions


def grid_rows(matrix) -> list[str]:
    """A matrix's rows as the question prints them: numbers separated by spaces."""
    return [" ".join(map(str, row)) for row in matrix]


# Numbers and arithmetic ------------------------------------------------------------------------------


def base_conversion(item):
    source, target = meta(item, "source_base"), meta(item, "target_base")
    number = str(item["metadata"]["source_repr"])
    # The question names bases 2, 8 and 16 in words ("the hexadecimal number 25e"), others as "base-7".
    written = lambda base: f"{base}" if f"base-{base}" in item["question"] else None
    data = {"number": number}
    data |= {"source_base": source} if written(source) else {}
    data |= {"target_base": target} if written(target) else {}
    named = [] if written(source) else [f"source_base = {source}  # {BASE_NAMES.get(source, '')}"]
    named += [] if written(target) else [f"target_base = {target}  # {BASE_NAMES.get(target, '')}"]
    code, *alternatives = (script(data, "\n".join(named) + textwrap.dedent(body)) for body in BASE_CONVERSIONS)
    return Solution(code=code, alternatives=tuple(alternatives), worked=base_conversion_worked(number, source, target))


BASE_NAMES = {2: "binary", 8: "octal", 10: "decimal", 16: "hexadecimal"}
BASE_CONVERSIONS = (  # int() and repeated division; Horner's rule and recursion; powers of the target base
    """
    value = int(number, source_base)
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    out = ''
    while value:
        out = digits[value % target_base] + out
        value //= target_base
    print(out or '0')""",
    """
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    value = 0
    for c in number:  # Horner's rule: shift what we have one place left, add the digit
        value = value * source_base + digits.index(c.lower())

    def spell(v):  # the digits of v // target_base, then the last digit
        return spell(v // target_base) + digits[v % target_base] if v >= target_base else digits[v]

    print(spell(value))""",
    """
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    value = sum(digits.index(c.lower()) * source_base ** k for k, c in enumerate(reversed(number)))
    power = 1
    while power * target_base <= value:  # the largest power of the target base that fits
        power *= target_base
    out = ''
    while power:  # how many of each power, from the largest down
        out += digits[value // power]
        value %= power
        power //= target_base
    print(out)""")


def base_conversion_worked(number: str, source: int, target: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    value, lines = 0, []
    if source == 10:
        value = int(number)
        lines.append(f"{number} is already written in base 10.")
    else:
        lines.append(f"Digit values of {number} (base {source}): "
                     + ", ".join(f"{c} = {digits.index(c.lower())}" for c in number)
                     + ". Reading left to right, multiply by the base and add the next digit:")
        for c in number:
            step = value * source + digits.index(c.lower())
            lines.append(f"{value} × {source} + {digits.index(c.lower())} = {step}")
            value = step
    if target == 10:
        return "\n".join(lines + [f"So the answer is {value}."])
    lines.append(f"Now divide {value} by {target} repeatedly, keeping the remainders:")
    rest, out = value, ""
    while True:
        quotient, remainder = divmod(rest, target)
        named = f" ({digits[remainder]})" if remainder > 9 else ""
        lines.append(f"{rest} ÷ {target} = {quotient} remainder {remainder}{named}")
        out, rest = digits[remainder] + out, quotient
        if not rest:
            break
    lines.append(f"Reading the remainders from the last to the first gives {out}.")
    return "\n".join(lines + [f"So the answer is {out}."])


def basic_arithmetic(item):
    from fractions import Fraction

    expression = item["metadata"]["expression"]
    value, steps = operation_steps(expression, Fraction, fraction_text, long_multiplication=True)
    answer = value.numerator if value.denominator == 1 else float(value)
    code, *alternatives = (script({"expression": expression}, body) for body in BASIC_ARITHMETIC)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join([f"Work out {expression}: brackets first, then × and ÷ before + and −, "
                                      "left to right.", *steps, f"So the answer is {answer}."]))


BASIC_ARITHMETIC = (  # eval over Fractions; a recursive-descent parser; a walk over Python's syntax tree
    """
    from fractions import Fraction

    result = eval(expression.replace('/', '*Fraction(1)/'))
    print(result.numerator if result.denominator == 1 else float(result))""",
    """
    from fractions import Fraction
    import re

    tokens = re.findall(r'\\d+|[-+*/()]', expression)
    position = 0

    def take():
        global position
        position += 1
        return tokens[position - 1]

    def peek():
        return tokens[position] if position < len(tokens) else None

    def factor():  # a number, a bracketed expression, or either negated
        token = take()
        if token == '-':
            return -factor()
        if token == '(':
            inner = total()
            take()  # the closing bracket
            return inner
        return Fraction(token)

    def product():  # factors joined by * and /, left to right
        value = factor()
        while peek() in ('*', '/'):
            value = value * factor() if take() == '*' else value / factor()
        return value

    def total():  # products joined by + and -, left to right
        value = product()
        while peek() in ('+', '-'):
            value = value + product() if take() == '+' else value - product()
        return value

    result = total()
    print(result.numerator if result.denominator == 1 else float(result))""",
    """
    import ast
    import operator
    from fractions import Fraction

    apply = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}

    def evaluate(node):  # exact values, computed bottom up over the expression's tree
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        if isinstance(node, ast.UnaryOp):
            return -evaluate(node.operand)
        return apply[type(node.op)](evaluate(node.left), evaluate(node.right))

    result = evaluate(ast.parse(expression, mode='eval').body)
    print(result.numerator if result.denominator == 1 else float(result))""")

OPERATIONS = {"Add": ("+", lambda a, b: a + b), "Sub": ("−", lambda a, b: a - b),
              "Mult": ("×", lambda a, b: a * b), "Div": ("÷", lambda a, b: a / b),
              "LShift": ("<<", lambda a, b: a << b), "RShift": (">>", lambda a, b: a >> b)}


def operation_steps(expression: str, number, show, long_multiplication: bool = False) -> tuple:
    """The value of an arithmetic expression (Python syntax) and the steps to it, one operation a line
    ("a × b = c"), in the order a careful reasoner works: innermost first, left to right. `number` makes a value
    of a number as written, `show` writes a value; with `long_multiplication`, products of whole numbers of two
    digits or more also show their partial products."""
    import ast

    lines = []

    def evaluate(node):
        if isinstance(node, ast.Constant):
            return number(ast.get_source_segment(expression, node))
        if isinstance(node, ast.UnaryOp):
            inner = evaluate(node.operand)
            if not isinstance(node.operand, ast.Constant):
                lines.append(f"−({show(inner)}) = {show(-inner)}")
            return -inner
        left, right = evaluate(node.left), evaluate(node.right)
        symbol, apply = OPERATIONS[type(node.op).__name__]
        result = apply(left, right)
        line = f"{show(left)} {symbol} {show(right)} = {show(result)}"
        if long_multiplication and symbol == "×" and min(abs(left), abs(right)) >= 10 \
                and left.denominator == right.denominator == 1:
            line += partial_products(abs(int(left)), abs(int(right)))
        lines.append(line)
        return result

    return evaluate(ast.parse(expression, mode="eval").body), lines


def partial_products(a: int, b: int) -> str:
    """', since a × b = a × 500 + a × 50 + a × 6 = ... = ...': b split by its place values."""
    parts = [int(d) * 10 ** k for k, d in enumerate(reversed(str(b))) if d != "0"][::-1]
    return (f", since {a} × {b} = " + " + ".join(f"{a} × {p}" for p in parts) + " = "
            + " + ".join(str(a * p) for p in parts) + f" = {a * b}")


def fraction_text(value) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def prime_factorization(item):
    n = meta(item, "number")
    return Solution(
        code=script({"n": n}, """
            factors, d = [], 2
            while d * d <= n:
                while n % d == 0:
                    factors.append(d)
                    n //= d
                d += 1
            if n > 1:
                factors.append(n)
            print(' × '.join(map(str, factors)))"""),
        alternatives=(
            script({"n": n}, """
                from sympy import factorint

                # factorint gives {prime: exponent}; write each prime as often as it divides n
                print(' × '.join(str(p) for p, k in sorted(factorint(n).items()) for _ in range(k)))"""),
            script({"n": n}, """
                # the primes up to n by Eratosthenes' sieve, then each divided out as often as it goes
                is_prime = [False, False] + [True] * (n - 1)
                for p in range(2, int(n ** 0.5) + 1):
                    if is_prime[p]:
                        is_prime[p * p::p] = [False] * len(range(p * p, n + 1, p))
                factors, rest = [], n
                for p in (p for p in range(2, n + 1) if is_prime[p]):
                    while rest % p == 0:
                        factors.append(p)
                        rest //= p
                print(' × '.join(map(str, factors)))"""),
        ),
        check=f"import math\nfactors = [int(f) for f in answer.split('×')]\n"
              f"assert math.prod(factors) == {n}, 'product differs'\n"
              "assert all(all(f % d for d in range(2, int(f ** 0.5) + 1)) and f > 1 for f in factors), 'not prime'\n"
              "print('check passed')",
        worked=prime_factorization_worked(n))


def prime_factorization_worked(n):
    """Divide out the smallest divisor again and again; what is left without a divisor up to its root is prime."""
    lines, factors, rest, d = [], [], n, 2
    while d * d <= rest:
        if rest % d:
            d += 1
            continue
        lines.append(f"{rest} ÷ {d} = {rest // d}")
        factors.append(d)
        rest //= d
    if rest > 1:
        factors.append(rest)
        lines.append(f"{rest} is prime: no number from 2 to {math.isqrt(rest)} divides it" if rest > 3
                     else f"{rest} is prime")
    lines[0] = f"Divide {n} by its smallest divisor again and again: {lines[0]}" if len(factors) > 1 \
        else f"{n} is prime: no number from 2 to {math.isqrt(n)} divides it" if n > 3 else f"{n} is prime"
    return ".\n".join(lines) + f".\nSo the answer is {' × '.join(map(str, factors))}."


def number_sorting(item):
    data = {"numbers": meta(item, "original_numbers"), "descending": meta(item, "direction") == "descending"}
    return Solution(code=script(data, "ordered = sorted(numbers, key=float, reverse=descending)\nprint(ordered)"),
                    alternatives=(script(data, """
                        import heapq

                        # a heap hands back its smallest key first: the value, or minus it for descending order
                        heap = [(-float(x) if descending else float(x), i, x) for i, x in enumerate(numbers)]
                        heapq.heapify(heap)
                        print([heapq.heappop(heap)[2] for _ in range(len(heap))])"""), script(data, """
                        import bisect

                        keys, ordered = [], []
                        for x in numbers:  # insertion sort: each number goes where its value belongs
                            key = -float(x) if descending else float(x)
                            place = bisect.bisect(keys, key)
                            keys.insert(place, key)
                            ordered.insert(place, x)
                        print(ordered)""")),
                    worked=number_sorting_worked(*data.values()))


def number_sorting_worked(numbers, descending):
    negative = sorted((x for x in numbers if float(x) < 0), key=float, reverse=descending)
    other = sorted((x for x in numbers if float(x) >= 0), key=float, reverse=descending)
    ordered = sorted(numbers, key=float, reverse=descending)
    lines = [f"{'Descending' if descending else 'Ascending'} order puts the {'largest' if descending else 'smallest'}"
             " number first."]
    if negative:
        lines.append(f"The negative numbers, {'closest to' if descending else 'farthest from'} zero first: "
                     f"{', '.join(negative)}.")
    if other:
        lines.append(f"The others, {'largest' if descending else 'smallest'} first: {', '.join(other)}.")
    if negative and other:
        lines.append(f"The {'others come before' if descending else 'negative numbers come before'} the "
                     f"{'negative numbers' if descending else 'others'}.")
    return "\n".join(lines) + f"\nSo the answer is {ordered}."


def products(item):
    expression = item["metadata"]["expression"]
    data = {"expression": expression}
    return Solution(code=script(data, """
        import math

        print(math.prod(int(factor) for factor in expression.split('*')))"""),
                    alternatives=(script(data, """
                        from functools import reduce

                        def long_multiply(a, b):  # a times each digit of b, shifted to that digit's place
                            return sum(a * int(digit) * 10 ** place for place, digit in enumerate(reversed(str(b))))

                        print(reduce(long_multiply, (int(factor) for factor in expression.split('*'))))"""),
                                  script(data, """
                        def halve_and_double(a, b):  # Russian peasant: add a wherever b is odd while halving b
                            total = 0
                            while b:
                                if b % 2:
                                    total += a
                                a, b = a * 2, b // 2
                            return total

                        product = 1
                        for factor in expression.split('*'):
                            product = halve_and_double(product, int(factor))
                        print(product)""")),
                    worked=products_worked([int(f) for f in expression.split("*")]),
                    check=script({"expression": expression}, """
                        first, *rest = [int(factor) for factor in expression.split('*')]
                        value = int(answer)
                        if 0 in rest or first == 0:
                            assert value == 0, 'a factor is 0'
                        else:
                            for factor in rest:  # divide the other factors back out
                                assert value % factor == 0, f'{factor} does not divide {value}'
                                value //= factor
                            assert value == first, 'the quotient is not the first factor'
                        print('check passed')"""))


def products_worked(factors):
    """Long multiplication: the running product times each digit of the next factor, shifted to its place."""
    product, lines = factors[0], []
    for factor in factors[1:]:
        partials = [int(digit) * 10 ** place for place, digit in enumerate(reversed(str(factor))) if digit != "0"]
        if len(partials) <= 1 or product == 0:
            lines.append(f"{product} × {factor} = {product * factor}")
        else:
            steps = "; ".join(f"{product} × {part} = {product * part}" for part in partials)
            lines.append(f"{product} × {factor}, digit by digit of {factor}: {steps}. Adding: "
                         f"{' + '.join(str(product * part) for part in partials)} = {product * factor}")
        product *= factor
    return ".\n".join(lines) + f".\nSo the answer is {product}."


def decimal_chain_sum(item):
    from decimal import Decimal

    expression = item["metadata"]["expression"]
    terms = expression.replace("- ", "-").replace("+ ", "").split()
    total, lines = Decimal(terms[0]), []
    for term in terms[1:]:
        new = total + Decimal(term)
        lines.append(f"{total} {'−' if term.startswith('-') else '+'} {term.lstrip('-')} = {new}")
        total = new
    code, *alternatives = (script({"expression": expression}, body) for body in DECIMAL_CHAIN_SUMS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join(["Add and subtract from left to right, lining up the decimal points:",
                                      *lines, f"So the answer is {total}."]))


DECIMAL_CHAIN_SUMS = (  # Decimal; whole numbers of the smallest unit; Fractions, rounded at the end
    """
    from decimal import Decimal

    # Decimal adds the written digits exactly, where floats would leave ...0000001 tails
    terms = expression.replace('- ', '-').replace('+ ', '').split()
    print(sum(Decimal(term) for term in terms))""",
    """
    terms = expression.replace('- ', '-').replace('+ ', '').split()
    places = max(len(term.partition('.')[2]) for term in terms)
    # each term as a whole number of units of 10^-places, so the sum is exact integer arithmetic
    units = sum(int(term.replace('.', '') + '0' * (places - len(term.partition('.')[2]))) for term in terms)
    whole, fraction = divmod(abs(units), 10 ** places)
    sign = '-' if units < 0 else ''
    print(f'{sign}{whole}.{fraction:0{places}d}' if places else f'{sign}{whole}')""",
    """
    from fractions import Fraction
    import re

    terms = re.findall(r'([+-]?)\\s*(\\d+(?:\\.\\d+)?)', expression)
    total = sum(Fraction(number) * (-1 if sign == '-' else 1) for sign, number in terms)
    places = max(len(number.partition('.')[2]) for _, number in terms)
    print(round(float(total), places))  # the exact sum has no more decimals than its terms""")


def decimal_arithmetic(item):
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    expression = found(r"\n(.*) = \?", item["question"])
    with localcontext() as context:
        context.prec, context.rounding = 12, ROUND_HALF_UP
        value, steps = operation_steps(expression, Decimal, str)
    code, *alternatives = (script({"expression": expression, "significant_digits": 12}, body)
                           for body in DECIMAL_ARITHMETIC)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join(["Brackets first, then × and ÷ before + and −, each result rounded to 12 "
                                      "significant digits (halves up):", *steps, f"So the answer is {value}."]))


DECIMAL_ARITHMETIC = (  # eval over Decimals; a walk over the syntax tree; Fractions, rounded once at the end
    """
    import re
    from decimal import ROUND_HALF_UP, Decimal, getcontext

    getcontext().prec = significant_digits
    getcontext().rounding = ROUND_HALF_UP
    # every number becomes a Decimal, so each step is rounded to the significant digits the question asks
    exact = re.sub(r'(\\d+(?:\\.\\d+)?)', r"Decimal('\\1')", expression)
    print(eval(exact))""",
    """
    import ast
    import operator
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    apply = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}

    def evaluate(node):  # bottom up over the tree; each operation rounds to the context's digits
        if isinstance(node, ast.BinOp):
            return apply[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp):
            return -evaluate(node.operand)
        return Decimal(ast.get_source_segment(expression, node))  # the number as written

    with localcontext() as context:
        context.prec, context.rounding = significant_digits, ROUND_HALF_UP
        print(evaluate(ast.parse(expression, mode='eval').body))""",
    """
    import re
    from decimal import ROUND_HALF_UP, Context, Decimal
    from fractions import Fraction

    exact = eval(re.sub(r'(\\d+(?:\\.\\d+)?)', r"Fraction('\\1')", expression))  # no rounding on the way
    rounding = Context(prec=significant_digits, rounding=ROUND_HALF_UP)
    print(rounding.divide(Decimal(exact.numerator), Decimal(exact.denominator)))  # rounded once, at the end""")


def power_function(item):
    base, exponent = re.search(r"Compute (\S+)\^(\S+)\.", item["question"]).groups()
    data = {"base": float(base), "exponent": int(exponent)}
    return Solution(code=script(data, """
        value = base ** exponent
        print(f'{value:.2e}')  # three significant figures in e notation"""),
                    alternatives=(script(data, """
                        # square and multiply: walk the exponent's binary digits, squaring the base at each
                        result, square, k = 1.0, base, abs(exponent)
                        while k:
                            if k % 2:
                                result *= square
                            square *= square
                            k //= 2
                        value = result if exponent >= 0 else 1 / result
                        print(f'{value:.2e}')"""), script(data, """
                        from decimal import Decimal, getcontext

                        getcontext().prec = 40  # exact for these digits: no rounding until the last step
                        value = Decimal(repr(base)) ** exponent
                        print(f'{float(value):.2e}')""")),
                    worked=power_function_worked(base, int(exponent)))


def power_function_worked(base, exponent):
    x, k = float(base), abs(exponent)
    value = x ** exponent
    if k == 0:
        return f"Any nonzero number to the power 0 is 1.\nSo the answer is {value:.2e}."
    written = f"({base})" if base.startswith("-") else base  # the question's -2^4 means (-2)^4
    powers = [f"{written}^{n} ≈ {x ** n:.7g}" for n in range(2, k + 1)]
    lines = [f"Multiply by {base} one power at a time: " + "; ".join(powers) + "." if powers
             else f"{written}^1 = {base}."]
    if exponent < 0:
        lines.append(f"A negative exponent takes the reciprocal: 1 / {x ** k:.7g} ≈ {value:.7g}.")
    lines.append(f"To three significant figures, {value:.7g} is {value:.2e}.")
    return "\n".join(lines) + f"\nSo the answer is {value:.2e}."


def bitwise_arithmetic(item):
    problem = item["metadata"]["problem"]
    value, steps = operation_steps(problem, lambda text: int(text, 16), lambda v: f"{hex(v)} ({v})",
                                   long_multiplication=True)
    code, *alternatives = (script({"problem": problem}, body) for body in BITWISE_ARITHMETIC)
    worked = ["Innermost brackets first, with each hexadecimal value also in decimal:", *steps]
    if not steps:
        worked.append(f"There is nothing to compute: {problem} is {value} in decimal.")
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join(worked + [f"So the answer is {hex(value)}."]))


BITWISE_ARITHMETIC = (  # eval and hex(); a walk over the syntax tree; decimal text, eval, then hex digits by hand
    """
    # Python integers are arbitrary precision and signed, as the question assumes; hex() writes -0x3
    print(hex(eval(problem)))""",
    """
    import ast
    import operator

    apply = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.LShift: operator.lshift, ast.RShift: operator.rshift}

    def evaluate(node):  # bottom up over the expression's tree
        if isinstance(node, ast.BinOp):
            return apply[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp):
            return -evaluate(node.operand)
        return node.value

    value = evaluate(ast.parse(problem, mode='eval').body)
    print(f"{'-' if value < 0 else ''}0x{abs(value):x}")  # sign and magnitude, not two's complement""",
    """
    import re

    decimal = re.sub(r'0x[0-9a-f]+', lambda m: str(int(m.group(), 16)), problem)
    value = eval(decimal)
    rest, digits = abs(value), ''
    while True:  # hexadecimal digits from the lowest up
        rest, digit = divmod(rest, 16)
        digits = '0123456789abcdef'[digit] + digits
        if not rest:
            break
    print(('-' if value < 0 else '') + '0x' + digits)""")


def complex_arithmetic(item):
    a, op, b = re.search(r"\((.+?)\) (\S) \((.+?)\)", item["question"]).groups()
    data = {"a": a, "op": op, "b": b}
    code, *alternatives = (script(data, textwrap.dedent(body) + COMPLEX_PRINT) for body in COMPLEX_ARITHMETIC)
    return Solution(code=code, alternatives=tuple(alternatives), worked=complex_worked(a, op, b))


COMPLEX_ARITHMETIC = (  # Python's complex numbers; exact parts by the textbook formulas; polar form for × and ÷
    """
    import operator

    def parse(text):
        return complex(text.replace(' ', '').replace('i', 'j'))

    x, y = parse(a), parse(b)
    z = {'+': operator.add, '-': operator.sub, '×': operator.mul, '÷': operator.truediv}[op](x, y)  # y may be 0
    real, imag = round(z.real, 6) + 0.0, round(z.imag, 6) + 0.0  # drop float noise and -0.0""",
    """
    from fractions import Fraction

    def parts(text):  # 'p + qi' -> (p, q), exactly
        z = complex(text.replace(' ', '').replace('i', 'j'))
        return Fraction(z.real), Fraction(z.imag)

    (p, q), (r, s) = parts(a), parts(b)
    if op == '+':
        real, imag = p + r, q + s
    elif op == '-':
        real, imag = p - r, q - s
    elif op == '×':  # (p + qi)(r + si) = pr - qs + (ps + qr)i
        real, imag = p * r - q * s, p * s + q * r
    else:  # multiply above and below by the conjugate r - si
        norm = r * r + s * s
        real, imag = (p * r + q * s) / norm, (q * r - p * s) / norm
    real, imag = float(real), float(imag)""",
    """
    import cmath

    x, y = (complex(text.replace(' ', '').replace('i', 'j')) for text in (a, b))
    if op in '+-':
        z = x + y if op == '+' else x - y
    else:  # in polar form, moduli multiply (divide) and angles add (subtract)
        (r1, t1), (r2, t2) = cmath.polar(x), cmath.polar(y)
        z = cmath.rect(r1 * r2, t1 + t2) if op == '×' else cmath.rect(r1 / r2, t1 - t2)
    real, imag = round(z.real, 6) + 0.0, round(z.imag, 6) + 0.0  # drop float noise and -0.0""")
COMPLEX_PRINT = """
if imag == 0:
    print(real)
elif real == 0:
    print(f'{imag}i')
else:
    print(f"{real} {'+' if imag > 0 else '-'} {abs(imag)}i")"""


def complex_worked(a: str, op: str, b: str) -> str:
    x, y = (complex(t.replace(" ", "").replace("i", "j")) for t in (a, b))
    (p, q), (r, s) = (x.real, x.imag), (y.real, y.imag)
    n = lambda v: f"({v:g})" if v < 0 else f"{v:g}"
    if op in "+-":
        sign = 1 if op == "+" else -1
        real, imag = p + sign * r, q + sign * s
        lines = [f"Real parts: {n(p)} {op} {n(r)} = {real:g}.", f"Imaginary parts: {n(q)} {op} {n(s)} = {imag:g}."]
    elif op == "×":
        real, imag = p * r - q * s, p * s + q * r
        lines = ["(p + qi)(r + si) = (pr − qs) + (ps + qr)i, since i² = −1.",
                 f"Real part: {n(p)}·{n(r)} − {n(q)}·{n(s)} = {p * r:g} − {n(q * s)} = {real:g}.",
                 f"Imaginary part: {n(p)}·{n(s)} + {n(q)}·{n(r)} = {p * s:g} + {n(q * r)} = {imag:g}."]
    else:
        norm = r * r + s * s
        real, imag = (p * r + q * s) / norm, (q * r - p * s) / norm
        lines = [f"Multiply above and below by the conjugate of the divisor; below: {n(r)}² + {n(s)}² = {norm:g}.",
                 f"Real part: ({n(p)}·{n(r)} + {n(q)}·{n(s)}) / {norm:g} = {p * r + q * s:g} / {norm:g} = {real:g}.",
                 f"Imaginary part: ({n(q)}·{n(r)} − {n(p)}·{n(s)}) / {norm:g} = {q * r - p * s:g} / {norm:g} "
                 f"= {imag:g}."]
    real, imag = round(real, 6) + 0.0, round(imag, 6) + 0.0
    answer = (f"{real}" if imag == 0 else f"{imag}i" if real == 0
              else f"{real} {'+' if imag > 0 else '-'} {abs(imag)}i")
    return "\n".join(lines + [f"So the answer is {answer}."])


def simple_equations(item):
    equation, variable = item["metadata"]["equation"], item["metadata"]["variable"]
    data = {"equation": equation, "variable": variable}
    return Solution(code=script(data, """
        from fractions import Fraction

        left, right = equation.split('=')

        def f(x):  # left minus right; linear in the variable
            scope = {variable: Fraction(x)}
            return eval(left, scope) - eval(right, scope)

        root = -f(0) / (f(1) - f(0))
        print(root.numerator if root.denominator == 1 else float(root))"""),
                    alternatives=(script(data, """
                        from sympy import Eq, Symbol, solve, sympify

                        x = Symbol(variable)
                        left, right = (sympify(side, locals={variable: x}) for side in equation.split('='))
                        print(solve(Eq(left, right), x)[0])"""), script(data, """
                        import re
                        from fractions import Fraction

                        # collect the terms: variable terms on the left, numbers on the right
                        coefficient, constant = 0, 0
                        for side, sign in zip(equation.split('='), (1, -1)):
                            for term in re.findall(r'[+-]?[^+-]+', side.replace(' ', '')):
                                if variable in term:
                                    number = term.replace(variable, '').replace('*', '')
                                    coefficient += sign * int(number + '1' if number in ('', '+', '-') else number)
                                else:
                                    constant -= sign * int(term)
                        root = Fraction(constant, coefficient)
                        print(root.numerator if root.denominator == 1 else float(root))""")),
                    worked=simple_equations_worked(equation, variable),
                    check=script(data, """
        left, right = equation.split('=')
        scope = {variable: int(answer)}
        assert eval(left, scope) == eval(right, scope), 'the two sides differ'
        print('check passed')"""))


def simple_equations_worked(equation, variable):
    """Each side as (coefficient of the variable, constant); then move the constants right and divide."""
    from fractions import Fraction

    def linear(side):  # a linear side is fixed by its values at 0 and 1
        at0, at1 = (eval(side, {variable: Fraction(x)}) for x in (0, 1))
        return at1 - at0, at0

    (a, b), (c, d) = (linear(side) for side in equation.split("="))
    left, right = (side.strip() for side in equation.split("="))
    lines = [f"Both sides are linear in {variable}: {left} = {right}."]
    if c:
        lines.append(f"Move the {variable} terms to the left: ({a} − {c})·{variable} = {a - c}·{variable}.")
    if b:
        move = f"Subtract {b} from" if b > 0 else f"Add {-b} to"
        lines.append(f"{move} both sides: {a - c}·{variable} = {d} {'−' if b > 0 else '+'} {abs(b)} = {d - b}.")
    root = Fraction(d - b, a - c)
    shown = root.numerator if root.denominator == 1 else float(root)
    lines.append(f"Divide by {a - c}: {variable} = {d - b} / {a - c} = {shown}.")
    return "\n".join(lines) + f"\nSo the answer is {shown}."


def count_bits(item):
    n = meta(item, "number")
    code, *alternatives = (script({"n": n}, body) for body in COUNT_BITS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"n": n}, """
                        count, m = 0, n
                        while m:
                            m &= m - 1  # clears the lowest 1 bit
                            count += 1
                        assert count == int(answer), f'{count} ones'
                        print('check passed')"""),
                    worked=count_bits_worked(n))


COUNT_BITS = (  # bin() and count; halving; a table of the ones in each byte
    "print(bin(n).count('1'))",
    """
    count = 0
    while n:
        count += n % 2  # the lowest bit
        n //= 2
    print(count)""",
    """
    ones = [0] * 256  # ones[b]: the 1 bits of the byte b, from the byte without its lowest bit
    for b in range(1, 256):
        ones[b] = ones[b >> 1] + (b & 1)
    print(sum(ones[(n >> shift) & 0xFF] for shift in range(0, n.bit_length(), 8)))""")


def count_bits_worked(n: int) -> str:
    """Hexadecimal digits by repeated division by 16, then the ones of each digit's four bits."""
    lines, rest, digits = [f"Write {n} in hexadecimal (each hex digit is four bits) by dividing by 16:"], n, []
    while True:
        quotient, digit = divmod(rest, 16)
        lines.append(f"{rest} ÷ 16 = {quotient} remainder {digit}")
        digits.insert(0, digit)
        rest = quotient
        if not rest:
            break
    ones = [bin(d).count("1") for d in digits]
    lines.append(f"So {n} = 0x{''.join(f'{d:x}' for d in digits)}. The ones in each digit's bits: "
                 + ", ".join(f"{d:x} = {d:04b} has {k}" for d, k in zip(digits, ones)) + ".")
    lines.append(f"{' + '.join(map(str, ones))} = {sum(ones)}.")
    return "\n".join(lines + [f"So the answer is {sum(ones)}."])


def count_primes(item):
    start, end = meta(item, "start"), meta(item, "end")
    code, *alternatives = (script({"start": start, "end": end}, body) for body in COUNT_PRIMES)
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"start": start, "end": end}, """
                        def is_prime(n):
                            return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))

                        count = sum(is_prime(n) for n in range(start, end + 1))
                        assert count == int(answer), f'trial division counts {count}'
                        print('check passed')"""),
                    worked=count_primes_worked(start, end))


COUNT_PRIMES = (  # a sieve from 0; a sieve of the range alone; sympy's prime counting function
    """
    sieve = [True] * (end + 1)
    sieve[:2] = [False] * min(2, end + 1)
    for p in range(2, int(end ** 0.5) + 1):
        if sieve[p]:
            sieve[p * p::p] = [False] * len(range(p * p, end + 1, p))
    print(sum(sieve[start:end + 1]))""",
    """
    import math

    # only the primes up to the square root of end can divide a composite number of the range
    small = [p for p in range(2, math.isqrt(end) + 1) if all(p % q for q in range(2, math.isqrt(p) + 1))]
    prime = [n > 1 for n in range(start, end + 1)]
    for p in small:
        first = max(p * p, -(-start // p) * p)  # the first multiple of p in the range that is not p itself
        for multiple in range(first, end + 1, p):
            prime[multiple - start] = False
    print(sum(prime))""",
    """
    from sympy import primepi

    print(primepi(end) - primepi(start - 1))  # primes up to end, less those below start""")


def count_primes_worked(start: int, end: int) -> str:
    import math

    root = math.isqrt(end)
    small = [p for p in range(2, root + 1) if all(p % q for q in range(2, math.isqrt(p) + 1))]
    removed = {p: 0 for p in small}
    primes = []
    for n in range(max(start, 2), end + 1):
        factor = next((p for p in small if n % p == 0 and p < n), None)
        if factor:
            removed[factor] += 1
        else:
            primes.append(n)
    lines = [f"The range {start}..{end} holds {end - start + 1} numbers"
             + (", and 1 is not prime." if start <= 1 <= end else ".")]
    if small:
        lines.append(f"A composite number up to {end} has a prime factor at most √{end} ≈ {root}, so strike out "
                     f"the multiples of {', '.join(map(str, small))} (other than the primes themselves).")
        lines.append("Newly struck by each prime: " + ", ".join(f"{p}: {k}" for p, k in removed.items() if k)
                     + f"; {sum(removed.values())} in all.")
    shown = ", ".join(map(str, primes)) if len(primes) <= 20 else \
        f"{', '.join(map(str, primes[:8]))}, ..., {', '.join(map(str, primes[-4:]))}"
    lines.append(f"What is left is prime: {shown}" + "." if primes else "Nothing is left.")
    return "\n".join(lines + [f"So the answer is {len(primes)}."])


def number_filtering(item):
    numbers, value = meta(item, "original_numbers"), item["metadata"]["filter_value"]
    keep, larger = item["question"].startswith("Keep"), " larger than " in item["question"]
    data = {"numbers": numbers, "threshold": value, "keep": keep, "larger": larger}
    return Solution(code=script(data, """
        def matches(x):
            return float(x) > float(threshold) if larger else float(x) < float(threshold)

        print([x for x in numbers if matches(x) == keep])  # the strings as given, in their order"""),
                    alternatives=(script(data, """
                        import operator

                        beyond = operator.gt if larger else operator.lt
                        print(list(filter(lambda x: beyond(float(x), float(threshold)) == keep, numbers)))"""),
                                  script(data, """
                        from decimal import Decimal

                        limit = Decimal(threshold)  # Decimal compares the written digits exactly
                        kept = []
                        for x in numbers:
                            side = Decimal(x) > limit if larger else Decimal(x) < limit
                            if side == keep:
                                kept.append(x)
                        print(kept)""")),
                    worked=number_filtering_worked(numbers, value, keep, larger))


def number_filtering_worked(numbers, threshold, keep, larger):
    word = "larger" if larger else "smaller"
    lines = [f"{'Keep' if keep else 'Remove'} the numbers {word} than {threshold}, in their order:"]
    kept = []
    for x in numbers:
        beyond = float(x) > float(threshold) if larger else float(x) < float(threshold)
        relation = "larger than" if float(x) > float(threshold) else "smaller than" if float(x) < float(threshold) \
            else "equal to"
        lines.append(f"{x} is {relation} {threshold}: {'keep' if beyond == keep else 'remove'}.")
        kept += [x] if beyond == keep else []
    return "\n".join(lines) + f"\nSo the answer is {kept}."


def number_format(item):
    candidates = meta(item, "formatted_candidates")
    largest = meta(item, "size") == "largest"
    data = {"candidates": candidates, "largest": largest}
    values = [float(c.replace(",", "")) for c in candidates]
    best = max(values) if largest else min(values)
    return Solution(code=script(data, """
        values = [float(c.replace(',', '')) for c in candidates]
        print(max(values) if largest else min(values))"""),
                    alternatives=(script(data, """
                        from decimal import Decimal

                        # Decimal reads all three notations exactly; sorting puts the smallest first
                        ordered = sorted(Decimal(c.replace(',', '')) for c in candidates)
                        print(float(ordered[-1] if largest else ordered[0]))"""), script(data, """
                        def value(text):  # '9.6e+08' is a mantissa times a power of ten; '961,812' has separators
                            mantissa, _, power = text.replace(',', '').partition('e')
                            return float(mantissa) * 10 ** int(power or 0)

                        best = candidates[0]
                        for candidate in candidates[1:]:  # keep the best seen so far
                            if value(candidate) != value(best) and (value(candidate) > value(best)) == largest:
                                best = candidate
                        print(float(best.replace(',', '')))""")),
                    worked="Written plainly, the candidates are:\n"
                           + "".join(f"{c} = {v}\n" for c, v in zip(candidates, values))
                           + f"The {'largest' if largest else 'smallest'} of these is {best}.\n"
                           + f"So the answer is {best}.")


def leg_counting(item):
    from reasoning_gym.arithmetic.leg_counting import ANIMALS

    animals = meta(item, "animals")
    legs = {name: ANIMALS[name] for name in animals}
    by_legs = {k: [name for name in animals if legs[name] == k] for k in sorted(set(legs.values()))}
    total = sum(count * legs[name] for name, count in animals.items())
    table = f"legs = {legs!r}  # legs per animal\n"  # what the solver knows, not the question
    return Solution(code=script({"animals": animals}, table + textwrap.dedent("""
        print(sum(count * legs[name] for name, count in animals.items()))""")),
                    alternatives=(script({"animals": animals}, f"""
                        by_legs = {by_legs!r}  # the animals grouped by their number of legs
                        print(sum(k * sum(animals[name] for name in names) for k, names in by_legs.items()))"""),
                                  script({"animals": animals}, table + textwrap.dedent("""
                        total = 0
                        for animal in Counter(animals).elements():  # every single animal, one at a time
                            total += legs[animal]
                        print(total)"""), "from collections import Counter")),
                    worked=f"Legs per animal: {', '.join(f'{n} {k}' for n, k in legs.items())}.\n"
                           + "".join(f"{name}: {count} × {legs[name]} = {count * legs[name]}\n"
                                     for name, count in animals.items())
                           + f"Total: {' + '.join(str(c * legs[n]) for n, c in animals.items())} = {total}.\n"
                           + f"So the answer is {total}.")


# Strings and words -----------------------------------------------------------------------------------


def caesar_cipher(item):
    cipher = item["metadata"]["cipher_text"]
    code, *alternatives = (script({"cipher": cipher}, body) for body in CAESAR_CIPHERS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"cipher": cipher}, """
                        # the answer must encrypt back to the cipher text with a single shift
                        shifts = {(ord(c) - ord(p)) % 26 for p, c in zip(answer, cipher) if c.isalpha()}
                        assert len(answer) == len(cipher) and len(shifts) == 1, 'not one Caesar shift of the text'
                        assert all((p == ' ') == (c == ' ') for p, c in zip(answer, cipher)), 'spacing differs'
                        print('check passed')"""),
                    worked=caesar_worked(cipher, printed_by(code)))


COMMON_WORDS = """{'THE', 'AND', 'OF', 'TO', 'A', 'IN', 'IS', 'IT', 'YOU', 'THAT', 'HE', 'WAS', 'FOR', 'ON',
          'ARE', 'WITH', 'AS', 'I', 'HIS', 'THEY', 'BE', 'AT', 'ONE', 'HAVE', 'THIS', 'FROM', 'OR',
          'HAD', 'BY', 'NOT', 'BUT', 'WHAT', 'ALL', 'WERE', 'WE', 'WHEN', 'YOUR', 'CAN', 'SAID',
          'THERE', 'AN', 'EACH', 'WHICH', 'SHE', 'DO', 'HOW', 'THEIR', 'IF', 'WILL', 'NO', 'SO',
          'MR', 'MY', 'ME', 'HER', 'HIM', 'BEEN', 'OUT', 'UP', 'ANY', 'THEN', 'THEM', 'INTO'}"""
CAESAR_CIPHERS = (  # letter frequencies plus common words; chi-squared against English; the likeliest letters
    """
    # English letter frequencies (percent); the right shift makes the text look most like English
    freq = dict(zip('ETAOINSHRDLCUMWFGYPBVKJXQZ',
                    [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2,
                     2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07]))
    common = COMMON

    def shift_back(text, k):
        return ''.join(chr((ord(c) - 65 - k) % 26 + 65) if c.isalpha() else c for c in text)

    def score(text):
        words = text.split()
        return sum(freq[c] for c in text if c.isalpha()) / len(text) + 5 * sum(w in common for w in words)

    print(max((shift_back(cipher, k) for k in range(26)), key=score))""".replace("COMMON", COMMON_WORDS),
    """
    from collections import Counter
    import string

    letters = string.ascii_uppercase
    english = dict(zip(letters, [8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5,
                                 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07]))  # percent
    common = COMMON

    def decrypt(k):  # a translation table that moves every letter k places back
        return cipher.translate(str.maketrans(letters, letters[-k:] + letters[:-k]))

    def fit(text):  # more common words first; then the smaller chi-squared distance from English
        counts, total = Counter(c for c in text if c.isalpha()), sum(c.isalpha() for c in text)
        chi2 = sum((counts[c] - total * p / 100) ** 2 / (total * p / 100) for c, p in english.items())
        return sum(word in common for word in text.split()), -chi2

    print(max((decrypt(k) for k in range(26)), key=fit))""".replace("COMMON", COMMON_WORDS),
    """
    from collections import Counter

    common = COMMON
    # the cipher's most frequent letter most likely stands for one of English's most frequent letters
    top = Counter(c for c in cipher if c.isalpha()).most_common(1)[0][0]
    candidates = []
    for plain in 'ETAOINSHRDLCUMWFGYPBVKJXQZ':  # from the likeliest
        k = (ord(top) - ord(plain)) % 26
        text = ''.join(chr((ord(c) - 65 - k) % 26 + 65) if c.isalpha() else c for c in cipher)
        candidates.append((sum(word in common for word in text.split()), text))
    # the first candidate (the likeliest letter) among those with the most common words
    print(max(candidates, key=lambda candidate: candidate[0])[1])""".replace("COMMON", COMMON_WORDS))


def printed_by(code: str) -> str:
    """The last line a teacher's program prints, run here: for worked solutions that end in the program's answer
    (the programs are ours and short)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    return out.getvalue().strip().splitlines()[-1]


def caesar_worked(cipher: str, plain: str) -> str:
    shift = next(k for k in range(26) if all(chr((ord(c) - 65 - k) % 26 + 65) == p
                                             for c, p in zip(cipher, plain) if c.isalpha()))
    word = max(cipher.split(), key=len)
    back = lambda k: "".join(chr((ord(c) - 65 - k) % 26 + 65) for c in word)
    tries = ", ".join(f"{k}: {back(k)}" for k in range(1, 26))
    return "\n".join([f"Try every shift back on the longest word, {word}: {tries}.",
                      f"The shift by {shift} gives an English word, {back(shift)}; the same shift on every word:",
                      ", ".join(f"{c} → {p}" for c, p in zip(cipher.split(), plain.split())) + ".",
                      f"So the answer is {plain}."])


def letter_counting(item):
    letter, text = item["metadata"]["target_letter"], " ".join(meta(item, "span"))
    data = {"letter": letter, "text": text}
    count = text.lower().count(letter)
    hits = [w for w in text.split() if letter in w.lower()]
    return Solution(code=script(data, "print(text.lower().count(letter.lower()))"),
                    alternatives=(script(data, """
                        from collections import Counter

                        print(Counter(text.lower())[letter.lower()])  # a tally of every character"""),
                                  script(data, """
                        import re

                        print(len(re.findall(re.escape(letter), text, flags=re.IGNORECASE)))""")),
                    check=script(data, """
                        count = sum(1 for word in text.split() for c in word if c in (letter.lower(), letter.upper()))
                        assert count == int(answer), f'{count} by word'
                        print('check passed')"""),
                    worked=f'Going through the words and counting "{letter}" (either case) in each: '
                           + (", ".join(f"{w} ({w.lower().count(letter)})" for w in hits)
                              + "; the other words have none." if hits else "no word contains it.")
                           + (f"\nAdding up: {' + '.join(str(w.lower().count(letter)) for w in hits)} = {count}."
                              if len(hits) > 1 else "")
                           + f"\nSo the answer is {count}.")


def word_sequence_reversal(item):
    words = found(r"Reverse this list of words: (.*?)\n", item["question"])
    listed = words.split(", ")
    return Solution(code=script({"words": words}, "print(', '.join(reversed(words.split(', '))))"),
                    alternatives=(script({"words": words}, """
                        stack, out = words.split(', '), []
                        while stack:  # the last word pushed comes off first
                            out.append(stack.pop())
                        print(', '.join(out))"""), script({"words": words}, """
                        items = words.split(', ')
                        i, j = 0, len(items) - 1
                        while i < j:  # swap the two ends and move inwards
                            items[i], items[j] = items[j], items[i]
                            i, j = i + 1, j - 1
                        print(', '.join(items))""")),
                    worked=f"The list has {len(listed)} words: "
                           + ", ".join(f"{n}. {w}" for n, w in enumerate(listed, 1))
                           + ".\nTaking them from the last to the first: "
                           + ", ".join(f"{n}. {w}" for n, w in reversed(list(enumerate(listed, 1))))
                           + f".\nSo the answer is {', '.join(reversed(listed))}.")


# Grids, graphs and searches --------------------------------------------------------------------------


def spiral_matrix(item):
    matrix = meta(item, "matrix")
    data = {"rows": grid_rows(matrix)}
    return Solution(code=script(data, """
        matrix = [row.split() for row in rows]
        out = []
        while matrix:
            out += matrix.pop(0)                        # top row, left to right
            matrix = [list(r) for r in zip(*matrix)][::-1]  # turn the rest so its right column is on top
        print(' '.join(out))"""),
                    alternatives=(script(data, """
                        matrix = [row.split() for row in rows]
                        top, bottom, left, right = 0, len(matrix) - 1, 0, len(matrix[0]) - 1
                        out = []
                        while top <= bottom and left <= right:  # one frame per pass, then move the edges in
                            out += matrix[top][left:right + 1]
                            out += [matrix[i][right] for i in range(top + 1, bottom + 1)]
                            if top < bottom:
                                out += matrix[bottom][left:right][::-1]
                            if left < right:
                                out += [matrix[i][left] for i in range(bottom - 1, top, -1)]
                            top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
                        print(' '.join(out))"""), script(data, """
                        matrix = [row.split() for row in rows]
                        n, m = len(matrix), len(matrix[0])
                        seen, out = set(), []
                        i, j, di, dj = 0, 0, 0, 1
                        for _ in range(n * m):  # walk, turning clockwise at an edge or a visited cell
                            out.append(matrix[i][j])
                            seen.add((i, j))
                            if not (0 <= i + di < n and 0 <= j + dj < m) or (i + di, j + dj) in seen:
                                di, dj = dj, -di
                            i, j = i + di, j + dj
                        print(' '.join(out))""")),
                    worked=spiral_worked(matrix))


def spiral_worked(matrix):
    """The matrix peeled frame by frame, each frame read clockwise from its top-left corner."""
    rows, lines, out = [list(map(str, row)) for row in matrix], [], []
    while rows:
        frame = rows[0] + [row[-1] for row in rows[1:]]
        if len(rows) > 1:
            frame += rows[-1][-2::-1] if len(rows[-1]) > 1 else []
            frame += [row[0] for row in rows[-2:0:-1]] if len(rows[0]) > 1 else []
        lines.append(f"Frame {len(lines) + 1}: " + " ".join(frame))
        out += frame
        rows = [row[1:-1] for row in rows[1:-1]]
        rows = rows if rows and rows[0] else []
    return ("Peel the matrix frame by frame; each frame clockwise from its top-left: top row rightwards, right "
            "column down, bottom row leftwards, left column up.\n" + "\n".join(lines)
            + f"\nSo the answer is {' '.join(out)}.")


def rotten_oranges(item):
    matrix = meta(item, "matrix")
    data = {"rows": grid_rows(matrix)}
    return Solution(code=script(data, """
        grid = [list(map(int, row.split())) for row in rows]
        n, m = len(grid), len(grid[0])
        rotten = [(i, j) for i in range(n) for j in range(m) if grid[i][j] == 2]
        minutes = 0
        while True:  # one round of the breadth-first spread per minute
            fresh = [(a, b) for i, j in rotten for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1))
                     if 0 <= a < n and 0 <= b < m and grid[a][b] == 1]
            if not fresh:
                break
            for a, b in fresh:
                grid[a][b] = 2
            rotten, minutes = list(set(fresh)), minutes + 1
        print(-1 if any(1 in row for row in grid) else minutes)"""),
                    alternatives=(script(data, """
                        from collections import deque

                        cells = {(i, j): int(v) for i, row in enumerate(rows) for j, v in enumerate(row.split())}
                        fresh = {cell for cell, v in cells.items() if v == 1}
                        # one queue from all rotten oranges at once; `minute` says when each orange rotted
                        minute = {cell: 0 for cell, v in cells.items() if v == 2}
                        queue = deque(minute)
                        while queue:
                            i, j = queue.popleft()
                            for near in fresh & {(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)}:
                                fresh.remove(near)
                                minute[near] = minute[i, j] + 1
                                queue.append(near)
                        print(-1 if fresh else max(minute.values(), default=0))"""), script(data, """
                        grid = [list(map(int, row.split())) for row in rows]
                        n, m = len(grid), len(grid[0])

                        def rots(i, j):  # a fresh orange with a rotten one beside it
                            return grid[i][j] == 1 and any(0 <= a < n and 0 <= b < m and grid[a][b] == 2
                                                           for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)))

                        minutes = 0
                        while True:  # the whole grid, a minute at a time, until nothing changes
                            after = [[2 if rots(i, j) else grid[i][j] for j in range(m)] for i in range(n)]
                            if after == grid:
                                break
                            grid, minutes = after, minutes + 1
                        print(-1 if any(1 in row for row in grid) else minutes)""")),
                    worked=rotten_oranges_worked(matrix))


def rotten_oranges_worked(matrix):
    grid = [list(row) for row in matrix]
    n, m = len(grid), len(grid[0])
    rotten, fresh = (sum(row.count(value) for row in grid) for value in (2, 1))
    lines = [f"At the start there are {rotten} rotten and {fresh} fresh oranges. Each minute every fresh "
             "orange beside a rotten one rots."]
    rotted = []
    while True:
        rotting = {(a, b) for i in range(n) for j in range(m) if grid[i][j] == 2
                 for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1))
                 if 0 <= a < n and 0 <= b < m and grid[a][b] == 1}
        if not rotting:
            break
        for a, b in rotting:
            grid[a][b] = 2
        rotted.append(len(rotting))
    if rotted:
        lines.append("Oranges that rot in minute " + ", ".join(f"{t}: {k}" for t, k in enumerate(rotted, 1))
                     + f" ({sum(rotted)} in all).")
    left = [(i, j) for i in range(n) for j in range(m) if grid[i][j] == 1]
    if left:
        i, j = left[0]
        lines.append(f"After minute {len(rotted)} nothing more rots, but {len(left)} fresh "
                     f"orange{'s' if len(left) > 1 else ''} (the first at row {i + 1}, column {j + 1}) can never "
                     "be reached.\nSo the answer is -1.")
    else:
        lines.append(f"After minute {len(rotted)} no fresh orange is left.\nSo the answer is {len(rotted)}.")
    return "\n".join(lines)


def largest_island(item):
    grid = meta(item, "grid")
    code, *alternatives = (script({"rows": grid_rows(grid)}, body) for body in LARGEST_ISLAND)
    return Solution(code=code, alternatives=tuple(alternatives), worked=largest_island_worked(grid))


LARGEST_ISLAND = (  # flood fill with a stack; breadth first, sinking counted land; union-find
    """
    grid = [list(map(int, row.split())) for row in rows]
    n, m = len(grid), len(grid[0])
    seen, best = set(), 0
    for i in range(n):
        for j in range(m):
            if grid[i][j] == 1 and (i, j) not in seen:
                stack, area = [(i, j)], 0
                seen.add((i, j))
                while stack:  # flood the island
                    a, b = stack.pop()
                    area += 1
                    for c, d in ((a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)):
                        if 0 <= c < n and 0 <= d < m and grid[c][d] == 1 and (c, d) not in seen:
                            seen.add((c, d))
                            stack.append((c, d))
                best = max(best, area)
    print(best)""",
    """
    from collections import deque

    grid = [list(map(int, row.split())) for row in rows]
    best = 0
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if cell:
                grid[i][j], queue, area = 0, deque([(i, j)]), 0
                while queue:  # breadth first, sinking each cell once it is queued
                    a, b = queue.popleft()
                    area += 1
                    for c, d in ((a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)):
                        if 0 <= c < len(grid) and 0 <= d < len(row) and grid[c][d]:
                            grid[c][d] = 0
                            queue.append((c, d))
                best = max(best, area)
    print(best)""",
    """
    from collections import Counter

    land = {(i, j) for i, row in enumerate(rows) for j, cell in enumerate(row.split()) if cell == '1'}
    parent = {cell: cell for cell in land}  # union-find: each island ends up under one root cell

    def root(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]  # halve the path on the way up
            cell = parent[cell]
        return cell

    for i, j in land:
        for neighbour in ((i + 1, j), (i, j + 1)):
            if neighbour in land:
                parent[root(neighbour)] = root((i, j))
    print(max(Counter(root(cell) for cell in land).values(), default=0))""")


def largest_island_worked(grid: list) -> str:
    land = {(i, j) for i, row in enumerate(grid) for j, cell in enumerate(row) if cell == 1}
    islands, seen = [], set()
    for cell in sorted(land):
        if cell not in seen:
            island, frontier = [], [cell]
            seen.add(cell)
            while frontier:
                i, j = frontier.pop()
                island.append((i, j))
                for near in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                    if near in land and near not in seen:
                        seen.add(near)
                        frontier.append(near)
            islands.append(sorted(island))
    if not islands:
        return "There is no 1 in the grid, so there is no island.\nSo the answer is 0."
    lines = ["Reading the grid row by row (rows and columns counted from 0), each new 1 starts an island; "
             "spreading up, down, left and right from it:"]
    lines += [f"Island {k}: {', '.join(f'({i},{j})' for i, j in island)}: {len(island)} cells."
              for k, island in enumerate(islands, 1)]
    best = max(map(len, islands))
    return "\n".join(lines + [f"The largest has {best} cells. So the answer is {best}."])


def maze(item):
    grid = meta(item, "grid")
    start, goal, wall = (item["metadata"][k] for k in ("start", "goal", "wall"))
    data = {"maze": grid, "start": start, "goal": goal, "wall": wall}
    return Solution(code=script(data, """
        from collections import deque

        cells = {(r, c): ch for r, row in enumerate(maze) for c, ch in enumerate(row)}
        begin = next(p for p, ch in cells.items() if ch == start)
        dist, queue = {begin: 0}, deque([begin])
        while queue:  # breadth first: the first time the goal is reached is the shortest
            r, c = queue.popleft()
            if cells[r, c] == goal:
                print(dist[r, c])
                break
            for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if cells.get(nxt, wall) != wall and nxt not in dist:
                    dist[nxt] = dist[r, c] + 1
                    queue.append(nxt)"""),
                    alternatives=(script(data, """
                        # the set of cells first reached after each number of steps, one ring at a time
                        open_cells = {(r, c) for r, row in enumerate(maze) for c, ch in enumerate(row) if ch != wall}

                        def find(mark):
                            return next((r, row.index(mark)) for r, row in enumerate(maze) if mark in row)

                        frontier, reached, steps = {find(start)}, {find(start)}, 0
                        while find(goal) not in frontier:
                            beside = {(r + dr, c + dc) for r, c in frontier
                                      for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))}
                            frontier = (beside & open_cells) - reached
                            reached |= frontier
                            steps += 1
                        print(steps)"""), script(data, """
                        # relax the distances until they settle: a cell is one step further than its best neighbour
                        n, m = len(maze), len(maze[0])
                        far = n * m  # longer than any route
                        dist = [[0 if ch == start else far for ch in row] for row in maze]

                        def neighbours(r, c):
                            return [(a, b) for a, b in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1))
                                    if 0 <= a < n and 0 <= b < m]

                        changed = True
                        while changed:
                            changed = False
                            for r, c in ((r, c) for r in range(n) for c in range(m) if maze[r][c] != wall):
                                best = min(dist[a][b] + 1 for a, b in neighbours(r, c))
                                if best < dist[r][c]:
                                    dist[r][c], changed = best, True
                        print(min(dist[r][c] for r in range(n) for c in range(m) if maze[r][c] == goal))""")),
                    worked=maze_worked(grid, start, goal, wall))


def maze_worked(grid, start, goal, wall):
    """Breadth first from the start, ring by ring, then one shortest route read back from the goal."""
    from collections import deque

    cells = {(r, c): ch for r, row in enumerate(grid) for c, ch in enumerate(row)}
    begin = next(p for p, ch in cells.items() if ch == start)
    end = next(p for p, ch in cells.items() if ch == goal)
    came, dist, queue = {begin: None}, {begin: 0}, deque([begin])
    while queue:
        cell = queue.popleft()
        for step in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nxt = (cell[0] + step[0], cell[1] + step[1])
            if cells.get(nxt, wall) != wall and nxt not in came:
                came[nxt], dist[nxt] = cell, dist[cell] + 1
                queue.append(nxt)
    path = [end]
    while came[path[-1]] is not None:
        path.append(came[path[-1]])
    path.reverse()
    rings = [list(dist.values()).count(d) for d in range(1, len(path))]
    names = {(1, 0): "down", (-1, 0): "up", (0, 1): "right", (0, -1): "left"}
    moves = [names[(b[0] - a[0], b[1] - a[1])] for a, b in zip(path, path[1:])]
    return (f"The start {start} is at row {begin[0] + 1}, column {begin[1] + 1}; the goal {goal} at row "
            f"{end[0] + 1}, column {end[1] + 1}. Walls are {wall}.\n"
            f"Spreading out one step at a time through open cells, the number of new cells reached after each step: "
            + ", ".join(map(str, rings)) + f"; the goal is first reached after step {len(path) - 1}.\n"
            f"One shortest route: {', '.join(moves)}.\nSo the answer is {len(path) - 1}.")


def game_of_life_halting(item):
    board = found(r"Initial board:\n(.*?)\n\n", item["question"])
    rows = [line.strip(" []") for line in board.splitlines()]
    steps = int(found(r"halt at or before (\d+) steps", item["question"]))
    code, *alternatives = (script({"rows": rows, "steps": steps}, body) for body in GAME_OF_LIFE)
    return Solution(code=code, alternatives=tuple(alternatives), worked=game_of_life_worked(rows, steps))


GAME_OF_LIFE = (  # the whole grid, step by step; the set of live cells with neighbour counts; numpy shifts
    """
    grid = [list(map(int, row.split())) for row in rows]
    n, m = len(grid), len(grid[0])
    halted = not any(map(any, grid))
    for _ in range(steps):
        if halted:
            break
        counts = [[sum(grid[(i + di) % n][(j + dj) % m] for di in (-1, 0, 1) for dj in (-1, 0, 1))
                   - grid[i][j] for j in range(m)] for i in range(n)]  # Moore neighbours, wrapping
        grid = [[int(counts[i][j] == 3 or (grid[i][j] and counts[i][j] == 2)) for j in range(m)]
                for i in range(n)]
        halted = not any(map(any, grid))
    print(halted)""",
    """
    from collections import Counter

    n, m = len(rows), len(rows[0].split())
    alive = {(i, j) for i, row in enumerate(rows) for j, cell in enumerate(row.split()) if cell == '1'}
    for _ in range(steps):
        if not alive:
            break
        # how many live neighbours each cell has, counted from the live cells only (the board wraps)
        neighbours = Counter(((i + di) % n, (j + dj) % m) for i, j in alive
                             for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj)
        alive = {cell for cell, k in neighbours.items() if k == 3 or k == 2 and cell in alive}
    print(not alive)""",
    """
    import numpy as np

    grid = np.array([row.split() for row in rows], dtype=int)
    for _ in range(steps):
        if not grid.any():
            break
        # the eight neighbours: the grid rolled one place each way (np.roll wraps around the edges)
        neighbours = sum(np.roll(grid, (di, dj), axis=(0, 1)) for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj)
        grid = ((neighbours == 3) | ((grid == 1) & (neighbours == 2))).astype(int)
    print(not grid.any())""")


def game_of_life_worked(rows: list, steps: int) -> str:
    from collections import Counter

    n, m = len(rows), len(rows[0].split())
    alive = {(i, j) for i, row in enumerate(rows) for j, cell in enumerate(row.split()) if cell == "1"}
    lines = [f"The board is {n} × {m} and wraps around. Live cells (row, column): "
             f"{', '.join(map(str, sorted(alive))) or 'none'}.",
             "Each step a live cell with 2 or 3 live neighbours survives and a dead cell with exactly 3 is born."]
    history, counts = [alive], []
    while alive and len(counts) < steps:
        neighbours = Counter(((i + di) % n, (j + dj) % m) for i, j in alive
                             for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj)
        alive = {cell for cell, k in neighbours.items() if k == 3 or k == 2 and cell in alive}
        counts.append(f"{len(counts) + 1}: {len(alive)}")
        if alive in history:  # the board repeats: it cycles for ever
            break
        history.append(alive)
    if counts:
        lines.append(f"Live cells after each step: {', '.join(counts)}.")
    if not alive:
        lines.append(f"No cell is alive after step {len(counts)}, within {steps} steps.")
    elif alive in history:
        again = history.index(alive)
        lines.append(f"The board after step {len(counts)} is the same as " + (f"after step {again}" if again else
                     "at the start") + ", so it repeats for ever with live cells and never halts.")
    else:
        lines.append(f"After {steps} steps {len(alive)} cells are still alive.")
    return "\n".join(lines + [f"So the answer is {not alive}."])


def course_schedule(item):
    total = int(found(r"a total of (\d+) courses", item["question"]))
    prerequisites = meta(item, "prerequisites")
    data = {"courses": total, "prerequisites": prerequisites}
    code, *alternatives = (script(data, body) for body in COURSE_SCHEDULES)
    return Solution(code=code, alternatives=tuple(alternatives), worked=course_schedule_worked(total, prerequisites),
                    check=script(data, """
        # depth first: a prerequisite reached again while still open is a cycle; otherwise the finishing
        # order is a valid order to take the courses in
        before = {c: [b for a, b in prerequisites if a == c] for c in range(courses)}
        state, order, cycle = {}, [], False

        def visit(c):
            global cycle
            state[c] = 'open'
            for b in before[c]:
                if state.get(b) == 'open':
                    cycle = True
                elif b not in state:
                    visit(b)
            state[c] = 'done'
            order.append(c)

        for c in range(courses):
            if c not in state:
                visit(c)
        if answer == 'True':
            assert not cycle and all(order.index(b) < order.index(a) for a, b in prerequisites), 'no valid order'
        else:
            assert answer == 'False' and cycle, 'the courses can be ordered'
        print('check passed')"""))


COURSE_SCHEDULES = (  # Kahn's algorithm; depth first with colours; which course must come before which (closure)
    """
    # Kahn's algorithm: keep taking a course whose prerequisites are all taken
    needs = {c: 0 for c in range(courses)}
    unlocks = {c: [] for c in range(courses)}
    for course, before in prerequisites:
        needs[course] += 1
        unlocks[before].append(course)
    ready = [c for c in needs if needs[c] == 0]
    taken = 0
    while ready:
        course = ready.pop()
        taken += 1
        for nxt in unlocks[course]:
            needs[nxt] -= 1
            if needs[nxt] == 0:
                ready.append(nxt)
    print(taken == courses)""",
    """
    requires = {c: [] for c in range(courses)}
    for course, before in prerequisites:
        requires[course].append(before)
    state = {}  # 'open' while a course's prerequisites are being followed, 'done' after

    def acyclic(course):  # no chain of prerequisites from here leads back to a course still open
        if course in state:
            return state[course] == 'done'
        state[course] = 'open'
        ok = all(acyclic(before) for before in requires[course])
        state[course] = 'done'
        return ok

    print(all(acyclic(c) for c in range(courses)))""",
    """
    # first[a][b]: a must come before b, directly or through a chain (Warshall's transitive closure)
    first = [[False] * courses for _ in range(courses)]
    for course, before in prerequisites:
        first[before][course] = True
    for k in range(courses):
        for i in range(courses):
            if first[i][k]:
                first[i] = [x or y for x, y in zip(first[i], first[k])]
    print(not any(first[c][c] for c in range(courses)))  # a course that must precede itself: a cycle""")


def course_schedule_worked(courses: int, prerequisites: list) -> str:
    needs = {c: sorted({b for a, b in prerequisites if a == c}) for c in range(courses)}
    lines = ["Prerequisites: " + "; ".join(f"{c} needs {', '.join(map(str, n))}" for c, n in needs.items() if n)
             + ". Take, round by round, every course whose prerequisites are all taken:"]
    taken = []
    while ready := [c for c in range(courses) if c not in taken and all(b in taken for b in needs[c])]:
        lines.append(f"Round {len(lines)}: take {', '.join(map(str, ready))}.")
        taken += ready
    left = [c for c in range(courses) if c not in taken]
    if left:
        lines.append(f"Courses {', '.join(map(str, left))} are left, and each still waits on another course that "
                     "is left, so they wait on each other in a cycle and can never be taken.")
    else:
        lines.append(f"All {courses} courses are taken.")
    return "\n".join(lines + [f"So the answer is {not left}."])


def jugs(item):
    puzzle = meta(item, "puzzle")
    capacities = {chr(65 + i): c for i, c in enumerate(puzzle["jug_capacities"])}
    data = {"capacities": capacities, "target": puzzle["target"]}
    code, *alternatives = (script(data, body) for body in JUGS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked=jugs_worked(capacities, puzzle["target"], printed_by(code)),
                    check=script_with_functions(data, after_move, imports="import json", last="""
water = {n: 0 for n in capacities}
for move in json.loads(answer):  # replay the moves
    water = after_move(water, capacities, move)
assert target in water.values(), f'no jug holds {target}: {water}'
print('check passed')"""))


def after_move(water: dict, capacities: dict, move: str) -> dict:
    """The litres in each jug after one move: 'fill A', 'empty B' or 'pour A->B'."""
    verb, arg = move.split()
    water = dict(water)
    if verb == "fill":
        water[arg] = capacities[arg]
    elif verb == "empty":
        water[arg] = 0
    else:
        a, b = arg.split("->")
        poured = min(water[a], capacities[b] - water[b])
        water[a], water[b] = water[a] - poured, water[b] + poured
    return water


JUGS = (  # breadth first; iterative deepening; depth first over dicts of water (any plan, not the shortest)
    """
    from collections import deque
    import json

    names = list(capacities)
    cap = [capacities[n] for n in names]

    def moves(state):
        for i, n in enumerate(names):
            yield f'fill {n}', state[:i] + (cap[i],) + state[i + 1:]
            yield f'empty {n}', state[:i] + (0,) + state[i + 1:]
            for j, o in enumerate(names):
                if i != j:
                    poured = min(state[i], cap[j] - state[j])
                    s = list(state)
                    s[i] -= poured
                    s[j] += poured
                    yield f'pour {n}->{o}', tuple(s)

    start = (0,) * len(names)
    plan, queue = {start: []}, deque([start])
    while queue:  # breadth first over the jugs' contents
        state = queue.popleft()
        if target in state:
            print(json.dumps(plan[state]))
            break
        for move, nxt in moves(state):
            if nxt not in plan:
                plan[nxt] = plan[state] + [move]
                queue.append(nxt)""",
    """
    import json

    jugs = list(capacities.items())

    def successors(water):  # water: a tuple of litres, one per jug
        for i, (a, size) in enumerate(jugs):
            yield f'fill {a}', water[:i] + (size,) + water[i + 1:]
            yield f'empty {a}', water[:i] + (0,) + water[i + 1:]
            for j, (b, room) in enumerate(jugs):
                amount = min(water[i], room - water[j]) if i != j else 0
                if amount:
                    poured = list(water)
                    poured[i], poured[j] = poured[i] - amount, poured[j] + amount
                    yield f'pour {a}->{b}', tuple(poured)

    def within(water, depth, best):  # a plan of at most `depth` moves, depth first
        if target in water:
            return []
        for move, nxt in successors(water) if depth else ():
            if best.get(nxt, -1) < depth - 1:  # not yet reached with as many moves to spare
                best[nxt] = depth - 1
                rest = within(nxt, depth - 1, best)
                if rest is not None:
                    return [move] + rest
        return None

    start, depth = (0,) * len(jugs), 0
    while (plan := within(start, depth, {start: depth})) is None:  # allow one more move each round
        depth += 1
    print(json.dumps(plan))""",
    """
    import json

    seen = set()

    def after_each_move(water):
        for a in capacities:
            yield f'fill {a}', {**water, a: capacities[a]}
            yield f'empty {a}', {**water, a: 0}
            for b in capacities:
                if b != a:
                    amount = min(water[a], capacities[b] - water[b])
                    yield f'pour {a}->{b}', {**water, a: water[a] - amount, b: water[b] + amount}

    def solve(water):  # the moves from here to the target, or None; each state is tried once
        if target in water.values():
            return []
        seen.add(tuple(water.values()))
        for move, nxt in after_each_move(water):
            if tuple(nxt.values()) not in seen and (rest := solve(nxt)) is not None:
                return [move] + rest
        return None

    print(json.dumps(solve({a: 0 for a in capacities})))""")


def jugs_worked(capacities: dict, target: int, plan: str) -> str:
    import json

    water, lines = {name: 0 for name in capacities}, []
    for move in json.loads(plan):
        water = after_move(water, capacities, move)
        lines.append(f"{move}: " + ", ".join(f"{name} {litres}" for name, litres in water.items()))
    holder = next(name for name, litres in water.items() if litres == target)
    return "\n".join([f"The jugs hold {', '.join(f'{k} {v}' for k, v in capacities.items())} litres; we need "
                      f"{target} litres in one of them. A shortest plan, move by move, with the litres in each jug "
                      "after the move:", *lines, f"Jug {holder} now holds {target} litres. So the answer is {plan}."])


def quantum_lock(item):
    question = item["question"]
    start, light = re.search(r"Start: (-?\d+) \((\w+)\)", question).groups()
    data = {"start": int(start), "light": light, "target": int(found(r"Target: (-?\d+)", question)),
            "buttons": re.findall(r"^[A-Z]: .*$", question, re.M)}
    parse = """
        import re

        ops = {'Add': lambda v, k: v + k, 'Subtract': lambda v, k: v - k, 'Multiply': lambda v, k: v * k}
        parsed = [re.match(r'(\\w): (\\w+) (-?\\d+) \\(when (\\w+)\\)', b).groups() for b in buttons]
        """
    return Solution(code=script(data, """
        from collections import deque
        import re

        ops = {'Add': lambda v, k: v + k, 'Subtract': lambda v, k: v - k, 'Multiply': lambda v, k: v * k}
        parsed = [re.match(r'(\\w): (\\w+) (-?\\d+) \\(when (\\w+)\\)', b).groups() for b in buttons]
        begin = (start, light)
        path, queue = {begin: []}, deque([begin])
        while queue:  # breadth first over (number, light)
            value, colour = state = queue.popleft()
            if value == target:
                print(' → '.join(path[state]))
                break
            for name, op, k, when in parsed:
                if when in ('any', colour) and abs(value) <= 10 * abs(target) + 100:
                    nxt = (ops[op](value, int(k)), 'green' if colour == 'red' else 'red')
                    if nxt not in path:
                        path[nxt] = path[state] + [name]
                        queue.append(nxt)"""),
                    alternatives=(script(data, parse + """
        def search(value, colour, depth, seen):
            # the presses (at most depth of them) that reach the target, or None; seen: the most presses
            # left with which each (number, light) was already searched
            if value == target:
                return []
            if depth == 0 or seen.get((value, colour), -1) >= depth:
                return None
            seen[value, colour] = depth
            for name, op, k, when in parsed:
                if when in ('any', colour):
                    rest = search(ops[op](value, int(k)), 'green' if colour == 'red' else 'red', depth - 1, seen)
                    if rest is not None:
                        return [name] + rest
            return None

        depth = 0
        while (presses := search(start, light, depth, {})) is None:  # iterative deepening: fewest presses first
            depth += 1
        print(' → '.join(presses))"""), script(data, parse + """
        # layer by layer: every (number, light) first reached with 1, 2, 3, ... presses, and how
        layer = {(start, light): []}
        known = set(layer)
        while not any(value == target for value, _ in layer):
            following = {}
            for (value, colour), presses in layer.items():
                for name, op, k, when in parsed:
                    state = (ops[op](value, int(k)), 'green' if colour == 'red' else 'red')
                    if when in ('any', colour) and state not in known:
                        following.setdefault(state, presses + [name])
            known |= set(following)
            layer = following
        print(' → '.join(next(p for (value, _), p in layer.items() if value == target)))""")),
                    worked=quantum_lock_worked(data),
                    check=script(data, """
        import re

        ops = {'Add': lambda v, k: v + k, 'Subtract': lambda v, k: v - k, 'Multiply': lambda v, k: v * k}
        table = {b[0]: re.match(r'\\w: (\\w+) (-?\\d+) \\(when (\\w+)\\)', b).groups() for b in buttons}
        value, colour = start, light
        for name in answer.split(' → '):  # replay the presses
            op, k, when = table[name]
            assert when in ('any', colour), f'{name} does nothing while the light is {colour}'
            value, colour = ops[op](value, int(k)), 'green' if colour == 'red' else 'red'
        assert value == target, f'the presses reach {value}'
        print('check passed')"""))


def quantum_lock_worked(data):
    """How many (number, light) states each number of presses reaches first, then the shortest presses replayed."""
    ops = {"Add": lambda v, k: v + k, "Subtract": lambda v, k: v - k, "Multiply": lambda v, k: v * k}
    signs = {"Add": "+", "Subtract": "−", "Multiply": "×"}
    buttons = [re.match(r"(\w): (\w+) (-?\d+) \(when (\w+)\)", b).groups() for b in data["buttons"]]
    flip = {"red": "green", "green": "red"}
    layer = {(data["start"], data["light"]): []}
    known, sizes = set(layer), []
    while not any(value == data["target"] for value, _ in layer):
        following = {}
        for (value, colour), presses in layer.items():
            for name, op, k, when in buttons:
                state = (ops[op](value, int(k)), flip[colour])
                if when in ("any", colour) and state not in known:
                    following.setdefault(state, presses + [name])
        known |= set(following)
        layer = following
        sizes.append(len(layer))
    presses = next(p for (value, _), p in layer.items() if value == data["target"])
    value, colour, steps = data["start"], data["light"], []
    table = {name: (op, int(k)) for name, op, k, _ in buttons}
    for name in presses:
        op, k = table[name]
        steps.append(f"{name}: {value} {signs[op]} {k} = {ops[op](value, k)}, light {flip[colour]}")
        value, colour = ops[op](value, k), flip[colour]
    return (f"Trying every press in turn, breadth first over (number, light): the new states reached by 1, 2, ... "
            f"presses: {', '.join(map(str, sizes))}; {data['target']} is first reached after {len(presses)} "
            f"presses.\nOne such sequence, from {data['start']} ({data['light']}):\n" + "\n".join(steps)
            + f"\nSo the answer is {' → '.join(presses)}.")


def ab(item):
    program = found(r"consider the following program:\s+(\S.*?)\n", item["question"])
    code, *alternatives = (script({"program": program}, body) for body in AB_PROGRAMS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"program": program}, """
        before, after = program.split(), answer.split()
        assert not any(a[1] == '#' and b[0] == '#' for a, b in zip(after, after[1:])), 'a facing pair is left'
        for x in 'AB':  # each rule keeps (x# count) - (#x count)
            assert before.count(x + '#') - before.count('#' + x) == after.count(x + '#') - after.count('#' + x)
        print('check passed')"""),
                    worked=ab_worked(program))


AB_RULES = {("A#", "#A"): [], ("A#", "#B"): ["#B", "A#"], ("B#", "#A"): ["#A", "B#"], ("B#", "#B"): []}
AB_PROGRAMS = (  # rewriting the first facing pair; one pass with two stacks; string replacement to a fixed point
    f"""
    rules = {AB_RULES!r}
    tokens = program.split()
    changed = True
    while changed:  # rewrite the first facing pair until none is left
        changed = False
        for i in range(len(tokens) - 1):
            pair = (tokens[i], tokens[i + 1])
            if pair in rules:
                tokens[i:i + 2] = rules[pair]
                changed = True
                break
    print(' '.join(tokens))""",
    """
    # The result is every '#x' token that survives, then every 'x#' one. Read left to right: an 'x#' waits on the
    # right-hand stack; a '#x' walks left past the waiting tokens of the other letter and cancels the nearest
    # one of its own letter, or, if there is none, joins the left-hand list.
    left, waiting = [], []
    for token in program.split():
        if token.endswith('#'):
            waiting.append(token)
            continue
        same = [i for i, w in enumerate(waiting) if w[0] == token[1]]
        if same:
            del waiting[same[-1]]
        else:
            left.append(token)
    print(' '.join(left + waiting))""",
    """
    text = f' {program} '
    rules = {' A# #A ': ' ', ' A# #B ': ' #B A# ', ' B# #A ': ' #A B# ', ' B# #B ': ' '}
    while any(pair in text for pair in rules):  # the order of rewrites does not change the final state
        for pair, result in rules.items():
            text = text.replace(pair, result)
    print(' '.join(text.split()))""")


def ab_worked(program: str) -> str:
    tokens, steps = program.split(), []
    while (i := next((i for i in range(len(tokens) - 1) if (tokens[i], tokens[i + 1]) in AB_RULES), None)) is not None:
        pair, tokens[i:i + 2] = tokens[i:i + 2], AB_RULES[tokens[i], tokens[i + 1]]
        result = " ".join(AB_RULES[tuple(pair)]) or "nothing"
        steps.append(f"{' '.join(pair)} → {result}: {' '.join(tokens) or '(empty)'}")
    if len(steps) > 12:
        steps[8:-3] = [f"... {len(steps) - 11} more rewrites of the same kind ..."]
    final = " ".join(tokens)
    return "\n".join([f"Start: {program}. Rewrite the leftmost pair whose '#'s face each other, one at a time:",
                      *steps, f"No '#' faces another any more. So the answer is {final}."])


def bf(item):
    program = item["metadata"]["bf_program"]
    code, *alternatives = (script({"program": program}, body) for body in BF_PROGRAMS)
    return Solution(code=code, alternatives=tuple(alternatives), worked=bf_worked(program))


BF_PROGRAMS = (  # an interpreter with a bracket table; a compiler to Python; a parse into nested loops, then a walk
    """
    jump, stack = {}, []
    for i, c in enumerate(program):  # match the brackets once
        if c == '[':
            stack.append(i)
        elif c == ']':
            j = stack.pop()
            jump[i], jump[j] = j, i
    tape, ptr, pc, out = [0] * 30000, 0, 0, []
    while pc < len(program):
        c = program[pc]
        if c == '>':
            ptr += 1
        elif c == '<':
            ptr -= 1
        elif c == '+':
            tape[ptr] = (tape[ptr] + 1) % 256
        elif c == '-':
            tape[ptr] = (tape[ptr] - 1) % 256
        elif c == '.':
            out.append(chr(tape[ptr]))
        elif c == '[' and tape[ptr] == 0 or c == ']' and tape[ptr] != 0:
            pc = jump[pc]
        pc += 1
    print(''.join(out))""",
    """
    python = {'>': 'ptr += 1', '<': 'ptr -= 1', '+': 'tape[ptr] = (tape[ptr] + 1) % 256',
              '-': 'tape[ptr] = (tape[ptr] - 1) % 256', '.': 'out.append(chr(tape[ptr]))', '[': 'while tape[ptr]:'}
    lines, depth = [], 0
    for c in program:  # one Python line per command, loops as indented while blocks
        if c == ']':
            depth -= 1
        elif c in python:
            lines.append('    ' * depth + python[c])
            if c == '[':
                depth += 1
                lines.append('    ' * depth + 'pass')  # a loop body is never empty
    scope = {'tape': [0] * 30000, 'ptr': 0, 'out': []}
    exec('\\n'.join(lines), scope)
    print(''.join(scope['out']))""",
    """
    from collections import defaultdict

    def parse(chars):  # a block: commands, and loops as nested lists
        block = []
        for c in chars:
            if c == '[':
                block.append(parse(chars))
            elif c == ']':
                return block
            elif c in '<>+-.':
                block.append(c)
        return block

    tape, ptr, out = defaultdict(int), 0, []

    def run(block):
        global ptr
        for command in block:
            if isinstance(command, list):
                while tape[ptr]:
                    run(command)
            elif command in '<>':
                ptr += 1 if command == '>' else -1
            elif command in '+-':
                tape[ptr] = (tape[ptr] + (1 if command == '+' else -1)) % 256
            else:
                out.append(chr(tape[ptr]))

    run(parse(iter(program)))
    print(''.join(out))""")


def bf_worked(program: str) -> str:
    """The program's effect in steps: each loop by how often it runs and the cells it leaves, each +/- run on
    the cell it changes, each print with the cell's value and character."""
    tape, ptr, out, i = {}, 0, [], 0
    lines, pending = ["All cells start at 0 and the pointer at cell 0."], ""
    while i < len(program):
        c = program[i]
        if c in "+-":
            j = i
            while j < len(program) and program[j] == c:
                j += 1
            before = tape.get(ptr, 0)
            tape[ptr] = (before + (j - i) * (1 if c == "+" else -1)) % 256
            pending, i = f"{before} {'+' if c == '+' else '−'} {j - i} = {tape[ptr]}", j
            continue
        if c == ".":
            out.append(chr(tape.get(ptr, 0)))
            lines.append(f"Print cell {ptr}: {pending or tape.get(ptr, 0)}, which is {out[-1]!r}.")
            pending = ""
        elif pending:
            lines.append(f"Cell {ptr}: {pending}.")
            pending = ""
        if c in "<>":
            ptr += 1 if c == ">" else -1
        elif c == "[":
            end, runs = bf_match(program, i), 0
            while tape.get(ptr, 0):
                ptr, runs = bf_run(program[i + 1:end], tape, ptr, out), runs + 1
            if runs:
                cells = ", ".join(f"cell {k} = {v}" for k, v in sorted(tape.items()) if v)
                lines.append(f"The loop [{program[i + 1:end]}] runs {runs} times, leaving {cells or 'every cell 0'}; "
                             f"the pointer is at cell {ptr}.")
            i = end
        i += 1
    return "\n".join(lines + [f"The output is {''.join(out)}. So the answer is {''.join(out)}."])


def bf_match(code: str, i: int) -> int:
    """The index of the ']' that closes the '[' at i."""
    depth = 0
    for j in range(i, len(code)):
        depth += {"[": 1, "]": -1}.get(code[j], 0)
        if depth == 0:
            return j
    raise ValueError("unbalanced brackets")


def bf_run(code: str, tape: dict, ptr: int, out: list) -> int:
    """Runs a piece of a BF program on `tape` (a dict of cells) from `ptr`; returns where the pointer ends."""
    i = 0
    while i < len(code):
        c = code[i]
        if c == "[":
            end = bf_match(code, i)
            while tape.get(ptr, 0):
                ptr = bf_run(code[i + 1:end], tape, ptr, out)
            i = end
        elif c in "<>":
            ptr += 1 if c == ">" else -1
        elif c in "+-":
            tape[ptr] = (tape.get(ptr, 0) + (1 if c == "+" else -1)) % 256
        elif c == ".":
            out.append(chr(tape.get(ptr, 0)))
        i += 1
    return ptr


# Strings, sets and counting puzzles ------------------------------------------------------------------


def isomorphic_strings(item):
    s, t = meta(item, "words")
    pairs = list(dict.fromkeys(zip(s, t)))
    clash = next((f"'{a}' would map to both '{b}' and '{d}'" if a == c else f"'{a}' and '{c}' would both map to '{b}'"
                  for i, (a, b) in enumerate(pairs) for c, d in pairs[i + 1:] if (a == c) != (b == d)), None)
    verdict = ("the lengths differ" if len(s) != len(t) else clash if clash
               else "every character maps to one character and no two share one")
    answer = len(s) == len(t) and not clash
    code, *alternatives = (script({"s": s, "t": t}, body) for body in ISOMORPHIC_STRINGS)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join([f"'{s}' has {len(s)} characters and '{t}' has {len(t)}.",
                                      "Pairing them position by position: "
                                      + ", ".join(f"{a}→{b}" for a, b in zip(s, t)) + ".",
                                      "The distinct pairs: " + ", ".join(f"{a}→{b}" for a, b in pairs) + ".",
                                      f"Here {verdict}.", f"So the answer is {answer}."]))


ISOMORPHIC_STRINGS = (  # counting distinct pairs; two maps built as we go; the pattern of first occurrences
    """
    # one-to-one: each character of s always meets the same character of t, and no two share one
    print(len(s) == len(t) and len(set(s)) == len(set(t)) == len(set(zip(s, t))))""",
    """
    forward, backward = {}, {}
    isomorphic = len(s) == len(t)
    for a, b in zip(s, t):
        if forward.setdefault(a, b) != b or backward.setdefault(b, a) != a:
            isomorphic = False  # a already maps elsewhere, or b is already taken
            break
    print(isomorphic)""",
    """
    def shape(word):  # each character replaced by where it first occurs: 'paper' -> [0, 1, 0, 3, 4]
        return [word.index(c) for c in word]

    print(shape(s) == shape(t))""")


def ransom_note(item):
    note, magazine = item["metadata"]["ransom_note"], item["metadata"]["magazine"]
    data = {"note": note, "magazine": magazine}
    needs = {c: (note.count(c), magazine.count(c)) for c in sorted(set(note))}
    short = [c for c, (want, have) in needs.items() if have < want]
    return Solution(code=script(data, """
        from collections import Counter

        print(not Counter(note) - Counter(magazine))  # nothing the note needs more often than the magazine has"""),
                    alternatives=(script(data, """
                        stock = {}
                        for c in magazine:
                            stock[c] = stock.get(c, 0) + 1
                        possible = True
                        for c in note:  # take each letter of the note out of the magazine
                            if stock.get(c, 0) == 0:
                                possible = False
                                break
                            stock[c] -= 1
                        print(possible)"""), script(data, """
                        # both sorted: walk the magazine once, matching each letter the note needs in turn
                        have, i, matched = sorted(magazine), 0, 0
                        for c in sorted(note):
                            while i < len(have) and have[i] < c:
                                i += 1
                            if i == len(have) or have[i] != c:
                                break
                            matched, i = matched + 1, i + 1
                        print(matched == len(note))""")),
                    worked="Letters the note needs (needed/in the magazine): "
                           + ", ".join(f"{c} {want}/{have}" for c, (want, have) in needs.items())
                           + (f".\nThe magazine is short of {', '.join(short)}.\nSo the answer is False." if short
                              else ".\nThe magazine has enough of each.\nSo the answer is True."))


def group_anagrams(item):
    import json

    words = meta(item, "words")
    code, *alternatives = (script({"words": words}, body) for body in GROUP_ANAGRAMS)
    groups = {}
    for word in words:
        groups.setdefault("".join(sorted(word)), []).append(word)
    answer = json.dumps(sorted(sorted(g) for g in groups.values()))
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"words": words}, """
        import json

        groups = json.loads(answer)
        assert sorted(w for g in groups for w in g) == sorted(words), 'not a partition of the words'
        keys = [{''.join(sorted(w)) for w in g} for g in groups]
        assert all(len(k) == 1 for k in keys), 'a group mixes letters'
        assert len({k.pop() for k in keys}) == len(groups), 'anagrams split across groups'
        print('check passed')"""),
                    worked="\n".join(["Two words are anagrams when their letters, sorted, are the same. "
                                      "Sorting each word's letters:",
                                      *(f"{key}: {', '.join(group)}" for key, group in groups.items()),
                                      f"That makes {len(groups)} groups. With the words of each group, and "
                                      "the groups, in alphabetical order:",
                                      f"So the answer is {answer}."]))


GROUP_ANAGRAMS = (  # a dict keyed by sorted letters; a table of letter counts as keys; sorting, then groupby
    """
    import json

    groups = {}
    for word in words:
        groups.setdefault(''.join(sorted(word)), []).append(word)
    print(json.dumps(sorted(sorted(g) for g in groups.values())))""",
    """
    import json
    import string

    groups = {}
    for word in words:
        counts = [0] * 26  # how often each letter a..z occurs: anagrams have the same counts
        for c in word:
            counts[string.ascii_lowercase.index(c)] += 1
        groups.setdefault(tuple(counts), []).append(word)
    print(json.dumps(sorted(sorted(group) for group in groups.values())))""",
    """
    from itertools import groupby
    import json

    def letters(word):
        return sorted(word)

    # sorted by their letters, anagrams stand next to each other
    runs = groupby(sorted(words, key=letters), key=letters)
    print(json.dumps(sorted(sorted(run) for _, run in runs)))""")


def binary_alternation(item):
    string = item["metadata"]["string"]
    n, ones = len(string), string.count("1")
    options = {p: sum(a != b for a, b in zip(string, p)) // 2 for p in (("01" * n)[:n], ("10" * n)[:n])
               if p.count("1") == ones}
    best = min(options.values(), default=-1)
    lines = [f"The string has {n} characters: {n - ones} zeros and {ones} ones.",
             f"An alternating string of length {n} is {('01' * n)[:n]} or {('10' * n)[:n]}; a swap keeps the counts, "
             "so only a pattern with the same counts can be reached."]
    if not options:
        lines.append(f"Neither pattern has {n - ones} zeros and {ones} ones, so it is impossible.")
    for pattern, swaps in options.items():
        wrong = [i for i, (a, b) in enumerate(zip(string, pattern)) if a != b]
        lines.append(f"Against {pattern}: positions {', '.join(map(str, wrong)) or 'none'} differ ({len(wrong)} "
                     f"places, half of them a misplaced 0 and half a misplaced 1); each swap fixes two, so "
                     f"{swaps} swaps.")
    code, *alternatives = (script({"s": string}, body) for body in BINARY_ALTERNATION)
    return Solution(code=code, alternatives=tuple(alternatives),
                    worked="\n".join(lines + [f"So the answer is {best}."]))


BINARY_ALTERNATION = (  # mismatches against both patterns; ones at even and odd places; swapping for real
    """
    ones = s.count('1')
    best = -1
    for pattern in (('01' * len(s))[:len(s)], ('10' * len(s))[:len(s)]):  # the two alternating strings
        if pattern.count('1') == ones:
            swaps = sum(a != b for a, b in zip(s, pattern)) // 2  # each swap fixes two places
            best = swaps if best < 0 else min(best, swaps)
    print(best)""",
    """
    ones = s.count('1')
    even_ones, odd_ones = s[::2].count('1'), s[1::2].count('1')
    # '0101...' wants every 1 at an odd place: each 1 at an even place needs one swap (and '1010...' the reverse)
    costs = []
    if ones == len(s) // 2:
        costs.append(even_ones)
    if ones == (len(s) + 1) // 2:
        costs.append(odd_ones)
    print(min(costs) if costs else -1)""",
    """
    def swaps_to(pattern):  # swap each misplaced 1 with a misplaced 0 and count
        chars = list(s)
        stray_ones = [i for i, (c, p) in enumerate(zip(chars, pattern)) if c == '1' and p == '0']
        stray_zeros = [i for i, (c, p) in enumerate(zip(chars, pattern)) if c == '0' and p == '1']
        for i, j in zip(stray_ones, stray_zeros):
            chars[i], chars[j] = chars[j], chars[i]
        return len(stray_ones) if ''.join(chars) == pattern else None  # None: the counts do not fit

    n = len(s)
    options = [k for k in (swaps_to(('01' * n)[:n]), swaps_to(('10' * n)[:n])) if k is not None]
    print(min(options) if options else -1)""")


def palindrome_generation(item):
    letters = meta(item, "letters")
    return Solution(code=script({"letters": letters}, """
        from collections import Counter

        counts = Counter(letters)
        half = ''.join(c * (k // 2) for c, k in sorted(counts.items()))
        middle = ''.join(c for c, k in counts.items() if k % 2)  # at most one letter can be odd
        print(half + middle + half[::-1])"""),
                    alternatives=(script({"letters": letters}, """
                        # sorted, equal letters sit side by side: pair them off, the one without a partner is the middle
                        left, middle, rest = '', '', sorted(letters)
                        while rest:
                            if len(rest) > 1 and rest[0] == rest[1]:
                                left, rest = left + rest[0], rest[2:]
                            else:
                                middle, rest = rest[0], rest[1:]
                        print(left + middle + left[::-1])"""), script({"letters": letters}, """
                        # fill the answer from both ends at once; an odd letter out takes the centre
                        n = len(letters)
                        out, i = [''] * n, 0
                        for c in sorted(set(letters)):
                            k = letters.count(c)
                            for _ in range(k // 2):
                                out[i], out[n - 1 - i] = c, c
                                i += 1
                            if k % 2:
                                out[n // 2] = c
                        print(''.join(out))""")),
                    worked=palindrome_worked(letters),
                    check=script({"letters": letters}, """
        from collections import Counter

        assert answer == answer[::-1], 'not a palindrome'
        assert Counter(answer) == Counter(letters), 'other letters'
        print('check passed')"""))


def palindrome_worked(letters):
    from collections import Counter

    counts = Counter(letters)
    half = "".join(c * (k // 2) for c, k in sorted(counts.items()))
    middle = "".join(c for c, k in counts.items() if k % 2)
    return (f"Letter counts: {', '.join(f'{c} {k}' for c, k in sorted(counts.items()))}.\n"
            + (f"Only {middle} has an odd count, so it goes in the middle.\n" if middle
               else "Every count is even, so nothing sits in the middle.\n")
            + f"Half of each pair on the left, in alphabetical order: {half}.\n"
            + f"Then the middle and the mirror of the left half: {half} + {middle or '(nothing)'} + {half[::-1]}.\n"
            + f"So the answer is {half + middle + half[::-1]}.")


def string_manipulation(item):
    rules = meta(item, "selected_rules")
    data = {"string": item["metadata"]["string"]}
    lines = "\n".join(f"    {STRING_RULES[rule]},  # {n}. {rule}" for n, rule in enumerate(rules, 1))
    body = textwrap.dedent("""
        # each rule gives the new string, or None where it does not apply
        rules = [
            RULES
        ]
        states = [string]
        while True:
            new = next((out for rule in rules if (out := rule(states[-1])) is not None), None)
            if new is None or new in states:  # nothing applies, or a repeated state (discarded)
                break
            states.append(new)
        print(states[-1])""").replace("    RULES", lines)
    branches = "\n".join(f"    if {condition}:  # {n}. {rule}\n        return {rewrite}"
                         for n, (rule, (rewrite, condition)) in enumerate(zip(rules, map(rule_parts, rules)), 1))
    stepper = textwrap.dedent("""
        def step(s):  # the rules in order: the first that applies gives the new string
        BRANCHES
            return None

        seen = {string}
        while (new := step(string)) is not None and new not in seen:  # stop before a repeated state
            seen.add(new)
            string = new
        print(string)""").replace("BRANCHES", branches)
    return Solution(code=script(data, body), alternatives=(script(data, stepper),),
                    worked=string_manipulation_worked(data["string"], rules))


def rule_parts(rule):
    """A rule of STRING_RULES as (the new string, the condition for it), both Python expressions over `s`."""
    return re.fullmatch(r"lambda s: (.*) if (.*) else None", STRING_RULES[rule]).groups()


def string_manipulation_worked(string, rules):
    functions = [eval(STRING_RULES[rule]) for rule in rules]
    states, lines = [string], [f"Start: {string}."]
    while True:
        n, new = next(((n, out) for n, rule in enumerate(functions, 1) if (out := rule(states[-1])) is not None),
                      (None, None))
        if new is None:
            lines.append(f"No rule applies to {states[-1]}, so it is final.")
            break
        if new in states:
            lines.append(f"Rule {n} gives {new}, which came before, so we stop at {states[-1]}.")
            break
        lines.append(f"Rule {n} applies: {states[-1]} → {new}.")
        states.append(new)
    if len(lines) > 14:  # a long run: the first steps, then the end
        lines = lines[:8] + [f"... ({len(lines) - 11} more steps of the same kind) ..."] + lines[-3:]
    return "\n".join(lines) + f"\nSo the answer is {states[-1]}."


STRING_RULES = {  # the rule texts reasoning-gym draws from, as code
    "If the string prefix is 'ab', replace it with 'ca'.": "lambda s: 'ca' + s[2:] if s.startswith('ab') else None",
    "If the string suffix is 'ac', replace it with 'cb'.": "lambda s: s[:-2] + 'cb' if s.endswith('ac') else None",
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.":
        "lambda s: s[2:] + 'aa' if s.startswith('bc') else None",
    "If the string suffix is 'bb', delete the last two characters.": "lambda s: s[:-2] if s.endswith('bb') else None",
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.":
        "lambda s: 'aa' + s[2:-1] if s.startswith('cb') else None",
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.":
        "lambda s: 'bb' + s[2:] + 'c' if s.startswith('ca') else None",
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.":
        "lambda s: 'a' + s[:-2] + 'b' if s.endswith('cc') else None",
    "If the string prefix is 'aa', remove the first character.": "lambda s: s[1:] if s.startswith('aa') else None",
    "If the string contains 'abc', replace the first occurrence with 'cab'.":
        "lambda s: s.replace('abc', 'cab', 1) if 'abc' in s else None",
    "If the string contains 'bca', delete the first occurrence entirely.":
        "lambda s: s.replace('bca', '', 1) if 'bca' in s else None",
    "If the string ends with 'ba', replace it with 'ab'.": "lambda s: s[:-2] + 'ab' if s.endswith('ba') else None",
    "If the string starts with 'cc', remove the first two characters.":
        "lambda s: s[2:] if s.startswith('cc') else None",
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').":
        "lambda s: s.replace('acb', 'bca', 1) if 'acb' in s else None",
    "If the string ends with 'ca', remove the last character.": "lambda s: s[:-1] if s.endswith('ca') else None",
    "If the string starts with 'bb', remove the second character.":
        "lambda s: s[0] + s[2:] if s.startswith('bb') else None",
    "If the string ends with 'aa', replace it with 'cc'.": "lambda s: s[:-2] + 'cc' if s.endswith('aa') else None",
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        "lambda s: s[:i] + s[i + 2:] if (i := s.find('ca', 1)) != -1 else None",
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        "lambda s: s + 'ab' if s.count('b') and s.count('b') % 2 == 0 else None",
    "If the string length is greater than 15, remove the middle character.":
        "lambda s: s[:len(s) // 2] + s[len(s) // 2 + 1:] if len(s) > 15 else None",
    "If the string starts with 'ac', replace the first two characters with 'zz'.":
        "lambda s: 'zz' + s[2:] if s.startswith('ac') else None",
}


# Algebra ---------------------------------------------------------------------------------------------


def polynomial_multiplication(item):
    expression = item["metadata"]["polynomial_expr"]
    data = {"expression": expression}
    write = """
        def text(coefficients):  # {power: coefficient} -> '3*x**2 - x + 5', highest power first
            out = ''
            for k, c in sorted(coefficients.items(), reverse=True):
                power = '' if k == 0 else variable if k == 1 else f'{variable}**{k}'
                term = f'{abs(c)}*{power}' if power and abs(c) != 1 else power or str(abs(c))
                out += (' - ' if c < 0 else ' + ') + term if out else ('-' if c < 0 else '') + term
            return out or '0'
        """
    return Solution(code=script(data, """
        from sympy import expand, sympify

        print(expand(sympify(expression)))"""),
                    alternatives=(script(data, """
        import re
        from numpy.polynomial import Polynomial

        # the expression evaluated with its variable as the polynomial x: numpy multiplies the coefficient arrays
        variable = re.search(r'[a-z]', expression).group()
        product = eval(expression, {variable: Polynomial([0, 1])})
        """ + write + """
        print(text({k: round(c) for k, c in enumerate(product.coef) if round(c)}))"""), script(data, """
        import re

        # Kronecker substitution: at x = 10**20 the value's balanced base-10**20 digits are the coefficients,
        # as long as every coefficient is smaller than half of 10**20
        variable = re.search(r'[a-z]', expression).group()
        base = 10 ** 20
        value = eval(expression, {variable: base})
        coefficients, k = {}, 0
        while value:
            digit = value % base
            digit -= base if digit > base // 2 else 0
            if digit:
                coefficients[k] = digit
            value, k = (value - digit) // base, k + 1
        """ + write + """
        print(text(coefficients))""")),
                    worked=polynomial_multiplication_worked(expression),
                    check=script({"expression": expression}, """
        import random
        import re
        from fractions import Fraction

        names = sorted(set(re.findall(r'[a-z]', expression)))
        for _ in range(5):  # the two sides agree at random points, in exact arithmetic
            point = {n: Fraction(random.randint(-9, 9)) for n in names}
            assert eval(expression, point) == eval(answer, dict(point)), f'they differ at {point}'
        print('check passed')"""))


def polynomial_multiplication_worked(expression):
    """The factors multiplied in turn: the running product times each term of the next factor, then collected."""
    from sympy import Add, Mul, expand, sympify

    factors = [expand(f) for f in Mul.make_args(sympify(expression, evaluate=False))]  # as written
    product, lines = factors[0], []
    for factor in factors[1:]:
        if isinstance(factor, Add):
            rows = [f"({product})*({term}) = {expand(product * term)}" for term in factor.as_ordered_terms()]
            lines.append(f"Multiply ({product}) by ({factor}) one term at a time:\n" + "\n".join(rows))
            lines.append(f"Adding these and collecting like powers: {expand(product * factor)}.")
        else:
            lines.append(f"({product})*({factor}) = {expand(product * factor)}.")
        product = expand(product * factor)
    if not any(isinstance(f, Add) for f in factors):
        lines = [f"{expression} is a single term: there is nothing to multiply out."]
    return "\n".join(lines) + f"\nSo the answer is {product}."


def polynomial_equations(item):
    expression, variable = item["metadata"]["polynomial_expr"], item["metadata"]["variable"]
    data = {"expression": expression, "variable": variable}
    return Solution(code=script(data, """
        from sympy import Symbol, solve, sympify

        x = Symbol(variable)
        roots = sorted(round(float(r), 4) for r in solve(sympify(expression, locals={variable: x}), x) if r.is_real)
        print(', '.join(map(str, roots)))"""),
                    alternatives=(script(data, """
        import numpy
        from sympy import Poly, Symbol, sympify

        x = Symbol(variable)
        coefficients = [float(c) for c in Poly(sympify(expression, locals={variable: x}), x).all_coeffs()]
        # the companion matrix's eigenvalues; the real ones, once each (a double root comes twice)
        roots = {round(r.real, 4) + 0.0 for r in numpy.roots(coefficients) if abs(r.imag) < 1e-6 * (1 + abs(r))}
        print(', '.join(map(str, sorted(roots))))"""), script(data, """
        from sympy import Poly, Symbol, sympify

        x = Symbol(variable)
        coefficients = [float(c) for c in Poly(sympify(expression, locals={variable: x}), x).all_coeffs()]

        def value(c, t):  # Horner's rule
            total = 0.0
            for a in c:
                total = total * t + a
            return total

        def real_roots(c):
            # between two neighbouring roots of the derivative f is monotone: one root at most, found by bisection
            if len(c) == 2:
                return [-c[1] / c[0]]
            n = len(c) - 1
            bound = 1 + max(abs(a / c[0]) for a in c[1:])  # Cauchy: every root lies inside it
            points = [-bound, *real_roots([a * (n - i) for i, a in enumerate(c[:-1])]), bound]
            roots = []
            for lo, hi in zip(points, points[1:]):
                if abs(value(c, hi)) < 1e-9 * max(map(abs, c)) and hi != bound:  # a root where f' is 0 too
                    roots.append(hi)
                elif value(c, lo) * value(c, hi) < 0:
                    for _ in range(100):
                        mid = (lo + hi) / 2
                        lo, hi = (mid, hi) if value(c, lo) * value(c, mid) > 0 else (lo, mid)
                    roots.append((lo + hi) / 2)
            return roots

        roots = sorted({round(r, 4) + 0.0 for r in real_roots(coefficients)})
        print(', '.join(map(str, roots)))""")),
                    worked=polynomial_equations_worked(expression, variable),
                    check=script(data, """
        roots = [float(r) for r in answer.split(',')] if answer.strip() else []
        f = lambda v: eval(expression, {variable: v})
        scale = max(1.0, *(abs(f(r + d)) for r in roots for d in (1e-4, -1e-4)))
        for r in roots:  # each root: f changes sign or nearly vanishes within the rounding
            assert f(r - 1e-4) * f(r + 1e-4) <= 0 or abs(f(r)) < 1e-6 * scale, f'{r} is not a root'
        print('check passed')"""))


def polynomial_equations_worked(expression, variable):
    """Take out a power of the variable, then solve what is left by its degree: linear, quadratic formula, a pure
    power, or a sign change narrowed down by halving."""
    from sympy import Poly, Symbol, solve, sympify

    x = Symbol(variable)
    poly = Poly(sympify(expression, locals={variable: x}), x)
    v = variable
    roots = sorted(round(float(r), 4) for r in solve(poly.as_expr(), x) if r.is_real)
    answer = ", ".join(map(str, roots))
    lines = [f"Solve f({v}) = {poly.as_expr()} = 0 for real {v}."]
    low = min(k for (k,), c in poly.terms())
    rest = Poly(poly.as_expr() / x ** low, x) if low else poly
    if low:
        power = v if low == 1 else f"{v}**{low}"
        lines.append(f"Taking out {power}: {power}*({rest.as_expr()}) = 0, so {v} = 0 is a root"
                     + (", and the other roots solve " + f"{rest.as_expr()} = 0." if rest.degree() > 0 else "."))
    c = [float(a) + 0.0 for a in rest.all_coeffs()]  # + 0.0: no -0
    degree = rest.degree()
    if degree == 1:
        lines.append(f"{rest.as_expr()} = 0 gives {v} = {0.0 - c[1]:g} / {c[0]:g} = {round(-c[1] / c[0], 4)}.")
    elif degree == 2:
        d = c[1] ** 2 - 4 * c[0] * c[2]
        roots_of_rest = sorted({round((-c[1] + sign * abs(d) ** 0.5) / (2 * c[0]), 4) for sign in (1, -1)})
        lines.append(f"Quadratic formula with a = {c[0]:g}, b = {c[1]:g}, c = {c[2]:g}: the discriminant "
                     f"b² − 4ac = {d:g}" + (", negative, so no more real roots." if d < 0 else
                                             f"; {v} = ({0.0 - c[1]:g} ± √{d:g}) / {2 * c[0]:g}, that is "
                                             + " and ".join(map(str, roots_of_rest)) + "."))
    elif degree == 3 and c[1] == c[2] == 0:
        ratio = -c[3] / c[0]
        lines.append(f"{rest.as_expr()} = 0 means {v}**3 = {ratio:.6g}, so {v} is its real cube root, "
                     f"{round(math.copysign(abs(ratio) ** (1 / 3), ratio), 4)}.")
    elif degree == 3:
        lines += [root_bracketed(c, r, roots, v) for r in roots]
    return "\n".join(lines) + f"\nSo the answer is {answer}." if answer else \
        "\n".join(lines) + "\nThere is no real root, so the answer is the empty string."


def root_bracketed(coefficients, root, roots, variable):
    """A line that finds `root` of the polynomial as a sign change over the widest interval around it (1, 0.1 or
    0.01 wide) that holds no other of its `roots`, or names it a double root where the sign does not change."""
    def f(t):
        return sum(a * t ** (len(coefficients) - 1 - i) for i, a in enumerate(coefficients))

    for width in (1, 0.1, 0.01):
        lo, hi = round(root - width / 2, 3), round(root + width / 2, 3)
        if f(lo) * f(hi) < 0 and sum(lo <= r <= hi for r in roots) == 1:
            return (f"f({lo}) = {f(lo):.4g} and f({hi}) = {f(hi):.4g} differ in sign, so a root lies between; "
                    f"halving the interval again and again narrows it to {variable} = {root}.")
    return f"f does not change sign at {variable} = {root}, where f ≈ {f(root):.2g}: a double root."


def countdown(item):
    numbers, target = meta(item, "numbers"), meta(item, "target")
    code, *alternatives = (script({"numbers": numbers, "target": target}, body) for body in COUNTDOWN)
    expression = printed_by(code)
    from fractions import Fraction

    _, steps = operation_steps(expression, Fraction, fraction_text)
    return Solution(code=code, alternatives=tuple(alternatives),
                    check=script({"numbers": numbers, "target": target}, """
        import re
        from fractions import Fraction

        assert sorted(map(int, re.findall(r'\\d+', answer))) == sorted(numbers), 'not each number once'
        value = eval(re.sub(r'(\\d+)', r'Fraction(\\1)', answer))
        assert value == target, f'it makes {value}'
        print('check passed')"""),
                    worked="\n".join([f"Combine {', '.join(map(str, numbers))}, each once, to make {target}. "
                                      f"Trying combinations, one that works is {expression}; checking it step by "
                                      "step:", *steps, f"It makes {target}. So the answer is {expression}."]))


COUNTDOWN = (  # combining two numbers at a time, depth first; every order, every bracketing; subsets
    """
    from fractions import Fraction

    def text(tree):  # a tree is a number or (op, left, right)
        if not isinstance(tree, tuple):
            return str(tree)
        op, left, right = tree
        wrap = lambda t, tight: f'({text(t)})' if isinstance(t, tuple) and tight else text(t)
        return f"{wrap(left, op in '*/')} {op} {wrap(right, op != '+')}"

    def search(items, whole, failed):
        # items: (value, tree) pairs; combine two at a time until one is left. First try with whole
        # non-negative steps only (how people play), then with any fractions
        if len(items) == 1:
            return items[0][1] if items[0][0] == target else None
        key = tuple(sorted(v for v, _ in items))
        if key in failed:
            return None
        for i in range(len(items)):
            for j in range(len(items)):
                (a, x), (b, y) = items[i], items[j]
                if i == j or whole and a < b:
                    continue
                rest = [items[k] for k in range(len(items)) if k not in (i, j)]
                options = [(a + b, ('+', x, y)), (a * b, ('*', x, y))] if i < j or whole else []
                options.append((a - b, ('-', x, y)))
                if b and (not whole or a % b == 0):
                    options.append((a // b if whole else a / b, ('/', x, y)))
                for value, tree in options:
                    found = search(rest + [(value, tree)], whole, failed)
                    if found:
                        return found
        failed.add(key)
        return None

    start = [(n, n) for n in numbers]
    tree = search(start, True, set()) or search([(Fraction(n), n) for n in numbers], False, set())
    print(text(tree))""",
    """
    from functools import lru_cache
    from itertools import permutations

    @lru_cache(maxsize=None)
    def made(row):  # value -> an expression, for the numbers of `row` kept in that order, bracketed any way
        if len(row) == 1:
            return {row[0]: str(row[0])}
        out = {}
        for cut in range(1, len(row)):  # the last operation joins row[:cut] and row[cut:]
            for a, x in made(row[:cut]).items():
                for b, y in made(row[cut:]).items():
                    options = [(a + b, '+'), (a * b, '*')] + [(a - b, '-')] * (a >= b)
                    options += [(a // b, '/')] if b and a % b == 0 else []
                    for value, op in options:
                        out.setdefault(value, f'({x} {op} {y})')
        return out

    # every order of the numbers (the other bracketings come from the cuts): whole, non-negative steps
    expression = next(made(row)[target] for row in permutations(numbers) if target in made(row))
    print(expression[1:-1])  # the outer brackets are not needed""",
    """
    from itertools import combinations

    # made[picked]: what the picked numbers (a bit mask) can make, each value with one expression for it
    everything = (1 << len(numbers)) - 1
    made = {1 << i: {n: str(n)} for i, n in enumerate(numbers)}
    for size in range(2, len(numbers) + 1):
        for picked in combinations(range(len(numbers)), size):
            mask = sum(1 << i for i in picked)
            values = made.setdefault(mask, {})
            part = (mask - 1) & mask
            while part:  # each way to split the picked numbers in two, both ways round
                for a, x in made[part].items():
                    for b, y in made[mask ^ part].items():
                        options = [(a + b, '+'), (a * b, '*')] if part < mask ^ part else []
                        options += [(a - b, '-')] if a >= b else []
                        options += [(a // b, '/')] if b and a % b == 0 else []
                        for result, op in options:
                            values.setdefault(result, f'({x} {op} {y})')
                part = (part - 1) & mask
    print(made[everything][target][1:-1])  # the outer brackets are not needed""")


# Dates and times -------------------------------------------------------------------------------------


def time_intervals(item):
    question, fmt = item["question"], item["metadata"]["format"]
    start, end, wanted = re.search(r" (?:between|at|from) (.+?) (?:and ended at|and completed at|and arrived at"
                                   r"|and|to) (.+?)[?.] .*?in (D days(?:, HH:MM(?::SS)?)?|HH:MM(?::SS(?:\.mmm)?)?)\.",
                                   question).groups()
    data = {"start": start, "end": end, "answer_format": wanted}
    return Solution(code=script(data, f"""
        from datetime import datetime

        fmt = {fmt!r}  # how the question writes its times
        delta = datetime.strptime(end, fmt) - datetime.strptime(start, fmt)
        hours, rest = divmod(delta.seconds, 3600)
        if answer_format == 'D days':
            print(f'{{delta.days}} days')
        elif answer_format.startswith('D days'):
            seconds = f':{{rest % 60:02d}}' if answer_format.endswith('SS') else ''
            print(f'{{delta.days}} days, {{hours:02d}}:{{rest // 60:02d}}{{seconds}}')
        else:
            hours += 24 * delta.days
            out = f'{{hours:02d}}:{{rest // 60:02d}}'
            out += f':{{rest % 60:02d}}' if 'SS' in answer_format else ''
            out += f'.{{delta.microseconds // 1000:03d}}' if answer_format.endswith('mmm') else ''
            print(out)"""),
                    alternatives=(script(data, f"""
        from datetime import datetime

        fmt = {fmt!r}  # how the question writes its times
        elapsed = datetime.strptime(end, fmt) - datetime.strptime(start, fmt)
        millis = round(elapsed.total_seconds() * 1000)
        # whole days only where the format has a D; then each unit from what the larger ones leave
        days, millis = divmod(millis, 86_400_000) if 'D' in answer_format else (0, millis)
        hours, millis = divmod(millis, 3_600_000)
        minutes, millis = divmod(millis, 60_000)
        seconds, millis = divmod(millis, 1000)
        fields = {{'D': str(days), 'HH': f'{{hours:02d}}', 'MM': f'{{minutes:02d}}', 'SS': f'{{seconds:02d}}',
                  'mmm': f'{{millis:03d}}'}}
        print(re.sub('D|HH|MM|SS|mmm', lambda m: fields[m.group()], answer_format))""", "import re"),
                                  script(data, f"""
        from datetime import datetime

        fmt = {fmt!r}  # how the question writes its times

        def seconds(text):  # seconds since a fixed day, counting the days by hand (a year starts in March)
            t = datetime.strptime(text, fmt)
            year, month = (t.year, t.month) if t.month > 2 else (t.year - 1, t.month + 12)
            days = 365 * year + year // 4 - year // 100 + year // 400 + (153 * (month - 3) + 2) // 5 + t.day
            offset = t.utcoffset().total_seconds() if t.tzinfo else 0  # a time zone: count in UTC
            return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6 - offset

        total = round((seconds(end) - seconds(start)) * 1000)  # milliseconds
        days = total // 86_400_000
        clock = total - days * 86_400_000 if answer_format.startswith('D') else total
        hh, mm, ss, ms = clock // 3_600_000, clock // 60_000 % 60, clock // 1000 % 60, clock % 1000
        if answer_format == 'D days':
            print(f'{{days}} days')
        else:
            out = f'{{days}} days, ' if answer_format.startswith('D') else ''
            out += f'{{hh:02d}}:{{mm:02d}}' + (f':{{ss:02d}}' if 'SS' in answer_format else '')
            print(out + (f'.{{ms:03d}}' if answer_format.endswith('mmm') else ''))""")),
                    worked=time_intervals_worked(start, end, fmt, wanted),
                    check=script(data, f"""
        from datetime import datetime, timedelta

        fmt = {fmt!r}
        days, _, clock = answer.partition(' days') if 'days' in answer else ('0', '', answer)
        seconds = 0.0
        for part in clock.strip(', ').split(':') if clock.strip(', ') else []:
            seconds = seconds * 60 + float(part)
        seconds *= 60 if clock.count(':') == 1 else 1  # HH:MM
        delta = timedelta(days=int(days), seconds=seconds)
        unit = 86400 if answer_format == 'D days' else 60 if answer_format.endswith('HH:MM') else 1
        unit = 0.001 if answer_format.endswith('mmm') else unit
        left = (datetime.strptime(end, fmt) - (datetime.strptime(start, fmt) + delta)).total_seconds()
        assert 0 <= left < unit, f'start + answer misses the end by {{left}} s'  # what the answer's unit drops
        print('check passed')"""))


def time_intervals_worked(start, end, fmt, wanted):
    """Whole days between the dates (month by month), then the clock times subtracted unit by unit with borrows."""
    import calendar
    from datetime import datetime, timedelta, timezone

    first, last = datetime.strptime(start, fmt), datetime.strptime(end, fmt)
    lines = [f"From {start} to {end}."]
    if first.tzinfo:
        first, last = (t.astimezone(timezone.utc).replace(tzinfo=None) for t in (first, last))
        lines.append(f"In UTC (subtracting each time zone's offset): from {first:%Y-%m-%d %H:%M:%S} to "
                     f"{last:%Y-%m-%d %H:%M:%S}.")
    days = (last.date() - first.date()).days
    if days:
        if (first.year, first.month) == (last.year, last.month):
            lines.append(f"Days between the dates: {last.day} − {first.day} = {days}.")
        else:
            parts, month = [f"{calendar.monthrange(first.year, first.month)[1] - first.day} left in "
                            f"{first:%B}"], first.replace(day=1)
            while True:
                month = (month + timedelta(days=32)).replace(day=1)
                if (month.year, month.month) == (last.year, last.month):
                    break
                parts.append(f"{calendar.monthrange(month.year, month.month)[1]} in {month:%B}")
            parts.append(f"{last.day} in {last:%B}")
            lines.append(f"Days between the dates: {' + '.join(parts)} = {days}.")
    units = [("hours", first.hour, last.hour, 24), ("minutes", first.minute, last.minute, 60),
             ("seconds", first.second, last.second, 60),
             ("milliseconds", first.microsecond // 1000, last.microsecond // 1000, 1000)]
    borrow, got = 0, {}
    larger = {"hours": "day", "minutes": "hours", "seconds": "minutes", "milliseconds": "seconds"}
    for name, a, b, size in reversed(units if wanted != "D days" else []):  # smallest unit first
        b -= borrow
        took, borrow = borrow, int(b < a)  # borrow 1 from the next larger unit when this one runs short
        got[name] = b + size * borrow - a
        days -= borrow if name == "hours" else 0
        if a or b + took or borrow:
            lines.append(f"{name.capitalize()}: {b + took}" + (" − 1 lent" if took else "")
                         + (f" + {size} borrowed from the {larger[name]}" if borrow else "")
                         + f" − {a} = {got[name]}.")
    if wanted != "D days" and borrow:
        lines.append(f"The borrowed day leaves {days} days.")
    answer = f"{days} days" if wanted == "D days" else ""
    if wanted != "D days":
        hours = got["hours"] + (0 if wanted.startswith("D") else 24 * days)
        if not wanted.startswith("D") and days:
            lines.append(f"{days} days are {24 * days} hours: {got['hours']} + {24 * days} = {hours} hours.")
        answer = (f"{days} days, " if wanted.startswith("D") else "") + f"{hours:02d}:{got['minutes']:02d}"
        answer += f":{got['seconds']:02d}" if "SS" in wanted else ""
        answer += f".{got['milliseconds']:03d}" if wanted.endswith("mmm") else ""
    return "\n".join(lines) + f"\nSo the answer is {answer}."


WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = rf"(?:(?:{WEEKDAYS}), )?((?:{MONTHS}) \d{{1,2}}(?:, \d{{4}})?|\d\d/\d\d/\d{{4}})"


def calendar_arithmetic(item):
    """Seven kinds of question; each gets its data cut out of the first sentence and its own few lines, three
    ways: with datetime, with the calendar module (and whole weeks where days are counted), and by hand (Zeller's
    congruence and day numbers)."""
    kind, sentence = item["metadata"]["task"], re.split(r"[?.] ", item["question"])[0]
    dates = re.findall(DATE, sentence)
    if kind == "is_leap_year":
        data = {"year": int(found(r"(\d{4})", sentence))}
        body = "print('Yes' if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 'No')"
        other = "import calendar\n\nprint('Yes' if calendar.isleap(year) else 'No')"
        by_hand = """
            from datetime import date, timedelta

            print('Yes' if (date(year, 2, 28) + timedelta(days=1)).day == 29 else 'No')  # does February have a 29th?"""
    elif kind == "weekday_of_date":
        data = {"date": dates[0]}
        body = "print(day(date).strftime('%A'))"
        other = "print(calendar.day_name[parse(date).weekday()])"
        by_hand = "print(NAMES[zeller(*split(date))])"
    elif kind == "weekday_of_date_from_first_date":
        data = {"first_day": found(rf"({WEEKDAYS})", sentence), "date": dates[-1]}
        body = """
            # the question gives no year; count the days from January 1 in a common (non-leap) year
            offset = (day(date + ', 2023') - day('January 1, 2023')).days
            names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
            print(names[(names.index(first_day) + offset) % 7])"""
        other = """
            name, day_of_month = date.split()
            month = list(calendar.month_name).index(name)
            # its place in a common year (the question gives none): the lengths of the months before it, the day
            offset = sum(calendar.monthrange(2023, m)[1] for m in range(1, month)) + int(day_of_month) - 1
            names = list(calendar.day_name)
            print(names[(names.index(first_day) + offset) % 7])"""
        by_hand = """
            _, month, day_of_month = split(date, 2023)  # no year given: a common year
            offset = day_number(2023, month, day_of_month) - day_number(2023, 1, 1)
            print(NAMES[(NAMES.index(first_day) + offset) % 7])"""
    elif kind == "weekday_offset":
        days = int(found(r"(\d+)(?:-day| days)", sentence))
        data = {"start": dates[0], "days": days, "backward": bool(re.search(r"backward|ago|before", sentence))}
        body = "print((day(start) + timedelta(days=-days if backward else days)).strftime('%A'))"
        other = "print(calendar.day_name[(parse(start).weekday() + (-days if backward else days)) % 7])"
        by_hand = "print(NAMES[(zeller(*split(start)) + (-days if backward else days)) % 7])"
    elif kind == "recurring_event_day":
        ordinal, weekday = re.search(rf"(first|second|third|fourth|fifth|last) ({WEEKDAYS})", sentence).groups()
        month, year = re.search(rf"({MONTHS}) (\d{{4}})", sentence).groups()
        data = {"ordinal": ordinal, "weekday": weekday, "month": month, "year": int(year)}
        body = """
            first = day(f'{month} 1, {year}')
            matches = [first + timedelta(days=k) for k in range(31)]
            matches = [d for d in matches if d.month == first.month and d.strftime('%A') == weekday]
            index = ['first', 'second', 'third', 'fourth', 'fifth', 'last'].index(ordinal)
            print(matches[-1].day if ordinal == 'last' else matches[index].day if index < len(matches) else -1)"""
        other = """
            column = list(calendar.day_name).index(weekday)
            weeks = calendar.monthcalendar(year, list(calendar.month_name).index(month))  # 0: another month's day
            days = [week[column] for week in weeks if week[column]]
            index = ['first', 'second', 'third', 'fourth', 'fifth', 'last'].index(ordinal)
            print(days[-1] if ordinal == 'last' else days[index] if index < len(days) else -1)"""
        by_hand = """
            number = MONTHS.index(month) + 1
            first_match = 1 + (NAMES.index(weekday) - zeller(year, number, 1)) % 7
            days = list(range(first_match, month_days(year, number) + 1, 7))  # every 7 days from the first match
            index = ['first', 'second', 'third', 'fourth', 'fifth', 'last'].index(ordinal)
            print(days[-1] if ordinal == 'last' else days[index] if index < len(days) else -1)"""
    else:  # count_days, count_business_days: the start date may leave its year to the end date
        data = {"start": dates[0], "end": dates[1]}
        counted, in_weeks = "d.weekday() < 5", "5 * weeks + sum(d < 5 for d in tail)"
        each = "(first_weekday + k) % 7 < 5"
        if kind == "count_days":
            data["weekday"] = found(rf"({WEEKDAYS})(?!,)", sentence)
            counted = "d.strftime('%A') == weekday"
            in_weeks = "weeks + tail.count(list(calendar.day_name).index(weekday))"
            each = "(first_weekday + k) % 7 == NAMES.index(weekday)"
        body = f"""
            last = day(end)
            first = day(start if ',' in start else f'{{start}}, {{last.year}}')
            if last < first:  # the range runs into the next year
                last = last.replace(year=last.year + 1)
            days = [first + timedelta(days=k) for k in range((last - first).days + 1)]  # both ends included
            print(sum({counted} for d in days))"""
        other = f"""
            last = parse(end)
            first = parse(start, last.year)
            if last < first:  # the range runs into the next year
                last = last.replace(year=last.year + 1)
            weeks, extra = divmod((last - first).days + 1, 7)  # both ends included
            # each whole week holds every weekday once; the extra days run on from the first day's weekday
            tail = [(first.weekday() + k) % 7 for k in range(extra)]
            print({in_weeks})"""
        by_hand = f"""
            last = split(end)
            first = split(start, last[0])
            if last < first:  # the range runs into the next year
                last = (last[0] + 1, *last[1:])
            first_weekday = zeller(*first)
            total = day_number(*last) - day_number(*first) + 1  # both ends included
            print(sum({each} for k in range(total)))"""
    if kind == "is_leap_year":
        programs = (script(data, body), script(data, other), script(data, by_hand))
    else:
        programs = (script(data, DAY + textwrap.dedent(body)),
                    script(data, "import calendar\n" + (textwrap.dedent(other) if "parse(" not in other
                                                        else PARSE_DATE + textwrap.dedent(other))),
                    script(data, "\n".join(DAY_ARITHMETIC[piece] for piece in HAND_PIECES[kind].split())
                           + "\n" + textwrap.dedent(by_hand)))
    return Solution(code=programs[0], alternatives=programs[1:], worked=calendar_worked(kind, data))


DAY = """
from datetime import datetime, timedelta

def day(text):
    for fmt in ('%B %d, %Y', '%m/%d/%Y'):  # how the question writes dates
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
"""
PARSE_DATE = """import datetime

def parse(text, year=None):  # 'March 19, 2022', 'March 19' (in `year`) or '03/19/2022'
    if '/' in text:
        month, day, year = map(int, text.split('/'))
    else:
        name, day, *rest = text.replace(',', '').split()
        month, day, year = list(calendar.month_name).index(name), int(day), int(rest[0]) if rest else year
    return datetime.date(year, month, day)
"""
DAY_ARITHMETIC = {  # the pieces of the by-hand programs; each kind takes what it uses
    "names": "NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']",
    "months": "MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', "
              "'October',\n          'November', 'December']",
    "split": """
def split(text, year=None):  # 'March 19, 2022', 'March 19' (in `year`) or '03/19/2022' -> (year, month, day)
    if '/' in text:
        month, day, year = map(int, text.split('/'))
        return year, month, day
    name, day, *rest = text.replace(',', '').split()
    return int(rest[0]) if rest else year, MONTHS.index(name) + 1, int(day)""",
    "month_days": """
def month_days(year, month):
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]""",
    "zeller": """
def zeller(year, month, day):  # the weekday by Zeller's congruence, 0 = Monday
    if month < 3:  # January and February count as months 13 and 14 of the year before
        year, month = year - 1, month + 12
    k, j = year % 100, year // 100
    h = (day + 13 * (month + 1) // 5 + k + k // 4 + j // 4 + 5 * j) % 7  # 0 = Saturday
    return (h + 5) % 7""",
    "day_number": """
def day_number(year, month, day):  # days from the start of the calendar, for differences
    before = year - 1
    days = before * 365 + before // 4 - before // 100 + before // 400
    return days + sum(month_days(year, m) for m in range(1, month)) + day""",
}
HAND_PIECES = {"weekday_of_date": "names months split zeller", "weekday_offset": "names months split zeller",
               "weekday_of_date_from_first_date": "names months split month_days day_number",
               "recurring_event_day": "names months month_days zeller",
               "count_days": "names months split month_days day_number zeller",
               "count_business_days": "months split month_days day_number zeller"}
NAMED_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def calendar_worked(kind: str, data: dict) -> str:
    """Leap years by the divisibility rules, weekdays by Conway's doomsday rule, counts by whole weeks."""
    import calendar
    import datetime

    def parse(text, year=None):
        if "/" in text:
            month, day, year = map(int, text.split("/"))
            return datetime.date(year, month, day)
        name, day, *rest = text.replace(",", "").split()
        return datetime.date(int(rest[0]) if rest else year, list(calendar.month_name).index(name), int(day))

    if kind == "is_leap_year":
        y = data["year"]
        reason = (f"{y} ÷ 4 leaves {y % 4}, so it is not a leap year" if y % 4 else
                  f"{y} is divisible by 4 but not by 100, so it is a leap year" if y % 100 else
                  f"{y} is divisible by 100 but not by 400, so it is not a leap year" if y % 400 else
                  f"{y} is divisible by 400, so it is a leap year")
        return f"A year is a leap year if divisible by 4, except centuries not divisible by 400.\n{reason}.\n" \
               f"So the answer is {'Yes' if calendar.isleap(y) else 'No'}."
    if kind == "weekday_of_date":
        lines, name = doomsday_lines(parse(data["date"]))
        return "\n".join(lines + [f"So the answer is {name}."])
    if kind == "weekday_of_date_from_first_date":
        target = parse(data["date"], 2023)
        before = [calendar.monthrange(2023, m)[1] for m in range(1, target.month)]
        offset = sum(before) + target.day - 1
        answer = NAMED_DAYS[(NAMED_DAYS.index(data["first_day"]) + offset) % 7]
        months = " + ".join(map(str, before)) + " + " if before else ""
        return "\n".join([f"Without a year, take a common year. {data['date']} is {months}{target.day} − 1 = "
                          f"{offset} days after January 1.",
                          f"{offset} = {offset // 7} × 7 + {offset % 7}, so it falls {offset % 7} weekdays after "
                          f"{data['first_day']}: {answer}.", f"So the answer is {answer}."])
    if kind == "weekday_offset":
        start = parse(data["start"])
        lines, name = doomsday_lines(start)
        shift = -data["days"] if data["backward"] else data["days"]
        answer = NAMED_DAYS[(start.weekday() + shift) % 7]
        lines.append(f"{data['days']} days = {data['days'] // 7} weeks and {data['days'] % 7} days; "
                     f"{data['days'] % 7} days {'before' if data['backward'] else 'after'} a {name} is a {answer}.")
        return "\n".join(lines + [f"So the answer is {answer}."])
    if kind == "recurring_event_day":
        first = datetime.date(data["year"], list(calendar.month_name).index(data["month"]), 1)
        lines, name = doomsday_lines(first)
        length = calendar.monthrange(first.year, first.month)[1]
        days = [d for d in range(1, length + 1) if (first.weekday() + d - 1) % 7 == NAMED_DAYS.index(data["weekday"])]
        index = ["first", "second", "third", "fourth", "fifth", "last"].index(data["ordinal"])
        answer = days[-1] if data["ordinal"] == "last" else days[index] if index < len(days) else -1
        lines.append(f"So the {data['weekday']}s of {data['month']} ({length} days) fall on the "
                     f"{', '.join(map(str, days))}.")
        lines.append(f"There is no {data['ordinal']} one." if answer == -1 else
                     f"The {data['ordinal']} is the {answer}.")
        return "\n".join(lines + [f"So the answer is {answer}."])
    last = parse(data["end"])
    first = parse(data["start"], last.year)
    if last < first:
        last = last.replace(year=last.year + 1)
    pieces, cursor = [], first
    while (cursor.year, cursor.month) < (last.year, last.month):
        length = calendar.monthrange(cursor.year, cursor.month)[1]
        pieces.append(f"{length - cursor.day + 1} in {calendar.month_name[cursor.month]}")
        cursor = datetime.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    pieces.append(f"{last.day - cursor.day + 1} in {calendar.month_name[last.month]}")
    total = (last - first).days + 1
    weeks, extra = divmod(total, 7)
    tail = [NAMED_DAYS[(first.weekday() + k) % 7] for k in range(extra)]
    lines, name = doomsday_lines(first)
    lines.append(f"Days counted, both ends included: {' + '.join(pieces)} = {total} = {weeks} whole weeks and "
                 f"{extra} more days" + (f" ({', '.join(tail)})." if tail else "."))
    if kind == "count_days":
        answer = weeks + tail.count(data["weekday"])
        lines.append(f"Each whole week has one {data['weekday']}: {weeks}; the extra days add "
                     f"{tail.count(data['weekday'])}, so {answer}.")
    else:
        extra_work = sum(d not in ("Saturday", "Sunday") for d in tail)
        answer = 5 * weeks + extra_work
        lines.append(f"Each whole week has 5 business days: 5 × {weeks} = {5 * weeks}; the extra days add "
                     f"{extra_work}, so {answer}.")
    return "\n".join(lines + [f"So the answer is {answer}."])


def doomsday_lines(date) -> tuple[list[str], str]:
    """The weekday of a date by Conway's doomsday rule: the century's anchor day, the year's doomsday, then the
    month's doomsday date (4/4, 6/6, 8/8, 10/10, 12/12, 5/9, 9/5, 7/11, 11/7, 3/14, the last of February, and
    January 3 or 4); the lines that compute it, and the weekday's name."""
    import calendar
    import datetime

    century, yy = date.year // 100 * 100, date.year % 100
    anchor = datetime.date(century, 4, 4).weekday()  # 4/4 is always a doomsday
    a, b = divmod(yy, 12)
    c = b // 4
    doomsday = (anchor + a + b + c) % 7
    leap = calendar.isleap(date.year)
    reference = {1: 4 if leap else 3, 2: 29 if leap else 28, 3: 14, 4: 4, 5: 9, 6: 6, 7: 11, 8: 8, 9: 5, 10: 10,
                 11: 7, 12: 12}[date.month]
    name = NAMED_DAYS[(doomsday + date.day - reference) % 7]
    assert name == NAMED_DAYS[date.weekday()]
    month = calendar.month_name[date.month]
    return [f"Doomsday rule for {month} {date.day}, {date.year}: the {century}s start from {NAMED_DAYS[anchor]}; "
            f"{yy} = {a} × 12 + {b}, {b} ÷ 4 gives {c}, and {a} + {b} + {c} = {a + b + c}, so {date.year}'s "
            f"doomsday is {NAMED_DAYS[anchor]} + {(a + b + c) % 7} = {NAMED_DAYS[doomsday]}.",
            f"{month} {reference} is a doomsday; {date.day} − {reference} = {date.day - reference}, which is "
            f"{(date.day - reference) % 7} more than a multiple of 7, so {month} {date.day} is a {name}."], name


# Graphs, cubes, geometry, calculus and sequences (new coverage) ----------------------------------------


def graph_color(item):
    puzzle = meta(item, "puzzle")
    vertices, edges, colors = puzzle["vertices"], puzzle["edges"], puzzle["color_options"]
    data = {"vertices": vertices, "edges": edges, "colors": colors}
    greedy = script(data, """
        import json

        neighbours = {v: set() for v in vertices}
        for u, v in edges:
            neighbours[u].add(v)
            neighbours[v].add(u)
        coloring = {}
        for v in vertices:  # each vertex takes the first color that none of its colored neighbours has
            taken = {coloring[n] for n in neighbours[v] if n in coloring}
            coloring[v] = next(c for c in colors if c not in taken)
        print(json.dumps({str(v): c for v, c in coloring.items()}))""")
    backtracking = script(data, """
        import json

        def extend(coloring):
            \"\"\"A full coloring that extends `coloring` (the first vertices colored), or None.\"\"\"
            if len(coloring) == len(vertices):
                return coloring
            v = vertices[len(coloring)]
            for c in colors:
                clash = any(coloring.get(a if b == v else b) == c for a, b in edges if v in (a, b))
                if not clash and (full := extend({**coloring, v: c})):
                    return full
            return None

        print(json.dumps({str(v): c for v, c in extend({}).items()}))""")
    by_degree = script(data, """
        import json
        from collections import Counter

        degree = Counter(v for edge in edges for v in edge)
        coloring = {}
        for c in colors:  # Welsh-Powell: fill one color class at a time, busiest vertices first
            for v in sorted(vertices, key=lambda v: -degree[v]):
                if v not in coloring and all(coloring.get(w) != c for e in edges if v in e for w in e):
                    coloring[v] = c
        print(json.dumps({str(v): coloring[v] for v in vertices}))""")
    return Solution(code=greedy, alternatives=(backtracking, by_degree),
                    worked=graph_color_worked(vertices, edges, colors))


def graph_color_worked(vertices, edges, colors) -> str:
    """Greedy coloring in words: each vertex in turn, its colored neighbours, the first color left."""
    lines = ["Color the vertices in order, each with the first color that none of its already colored "
             "neighbours uses."]
    coloring = {}
    for v in vertices:
        neighbours = sorted({a if b == v else b for a, b in edges if v in (a, b)})
        colored = [f"{n} (color {coloring[n]})" for n in neighbours if n in coloring]
        coloring[v] = next(c for c in colors if c not in {coloring[n] for n in neighbours if n in coloring})
        lines.append(f"Vertex {v}: " + (f"neighbours {', '.join(colored)}" if colored else "no colored neighbours")
                     + f", so color {coloring[v]}.")
    answer = "{" + ", ".join(f"\"{v}\": {c}" for v, c in coloring.items()) + "}"  # as json.dumps writes it
    return "\n".join(lines + [f"Every edge joins two colors that differ. So the answer is {answer}"])


def color_cube_rotation(item):
    data = {"cube": meta(item, "initial_state"), "rotations": meta(item, "rotations"),
            "asked": meta(item, "target_side")}
    quarter_turns = script(data, """
        opposite = {'top': 'bottom', 'bottom': 'top', 'left': 'right', 'right': 'left', 'front': 'back',
                    'back': 'front'}

        def bring_to_top(cube, side):
            \"\"\"A quarter turn: side goes up, top goes to the far side, the far side down, bottom to side.\"\"\"
            far = opposite[side]
            return {**cube, 'top': cube[side], side: cube['bottom'], 'bottom': cube[far], far: cube['top']}

        for side in rotations:
            # bottom to top is a half turn about the left-right axis: two quarter turns bringing front up
            cube = bring_to_top(bring_to_top(cube, 'front'), 'front') if side == 'bottom' else bring_to_top(cube, side)
        print(cube[asked])""")
    vectors = script(data, """
        import numpy as np

        normals = {'top': (0, 0, 1), 'bottom': (0, 0, -1), 'right': (1, 0, 0), 'left': (-1, 0, 0),
                   'front': (0, 1, 0), 'back': (0, -1, 0)}
        up = np.array(normals['top'])
        color_at = {normals[side]: color for side, color in cube.items()}
        for side in rotations:
            # a quarter turn about axis k = d x up carries the direction d up (k x v for every v, plus the
            # part along k); bottom comes up by a half turn about the left-right axis
            turns = [np.cross(normals['front'], up)] * 2 if side == 'bottom' else [np.cross(normals[side], up)]
            for k in turns:
                color_at = {tuple(int(x) for x in np.cross(k, v) + np.dot(k, v) * k): color
                            for v, color in color_at.items()}
        print(color_at[normals[asked]])""")
    backwards = script(data, """
        opposite = {'top': 'bottom', 'bottom': 'top', 'left': 'right', 'right': 'left', 'front': 'back',
                    'back': 'front'}

        def came_from(position, side):
            \"\"\"Where the face now at `position` was before the turn that brought `side` up.\"\"\"
            cycle = ['top', side, 'bottom', opposite[side]]  # each position receives the next one's face
            return cycle[(cycle.index(position) + 1) % 4] if position in cycle else position

        # follow the asked position back through the turns to the side it started on
        position = asked
        for side in reversed(rotations):
            turns = ['front', 'front'] if side == 'bottom' else [side]  # bottom up: a half turn, front up twice
            for turn in turns:
                position = came_from(position, turn)
        print(cube[position])""")
    return Solution(code=quarter_turns, alternatives=(vectors, backwards),
                    worked=color_cube_worked(data["cube"], data["rotations"], data["asked"]))


CUBE_OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left", "front": "back",
                 "back": "front"}


def color_cube_worked(cube: dict, rotations: list, asked: str) -> str:
    """The cube's six faces after each turn, then the asked face."""
    lines = []
    for number, side in enumerate(rotations, 1):
        if side == "bottom":  # a half turn: top and bottom swap, and so do front and back
            swapped = {"top": "bottom", "bottom": "top", "front": "back", "back": "front"}
            cube = {face: cube[swapped.get(face, face)] for face in cube}
            moved = "top and bottom swap, and so do front and back"
        else:
            far = CUBE_OPPOSITE[side]
            cube = {**cube, "top": cube[side], side: cube["bottom"], "bottom": cube[far], far: cube["top"]}
            moved = f"the {side} face goes up, top goes {far}, {far} goes down, bottom comes to the {side}"
        faces = ", ".join(f"{face} {color}" for face, color in cube.items())
        lines.append(f"Turn {number} ({side} to top): {moved}. Now {faces}.")
    return "\n".join(lines + [f"The {asked} side is now {cube[asked]}. So the answer is {cube[asked]}."])


def advanced_geometry(item):
    kind = item["metadata"]["task_type"]
    data = {name: tuple(int(v) for v in meta(item, name)) for name in "ABC"}
    programs = {
        "orthocenter": ("""
            from fractions import Fraction

            # the altitude from A is perpendicular to BC: (C - B) . (P - A) = 0, and likewise from B;
            # two lines a1 x + b1 y = c1 and a2 x + b2 y = c2, solved by Cramer's rule
            a1, b1 = C[0] - B[0], C[1] - B[1]
            a2, b2 = C[0] - A[0], C[1] - A[1]
            c1, c2 = a1 * A[0] + b1 * A[1], a2 * B[0] + b2 * B[1]
            det = a1 * b2 - a2 * b1
            x, y = Fraction(c1 * b2 - c2 * b1, det), Fraction(a1 * c2 - a2 * c1, det)
            print(f'({float(x):.3f}, {float(y):.3f})')""", """
            from fractions import Fraction

            # the orthocenter is A + B + C - 2 O, where O (the circumcenter) is equally far from all three
            d = 2 * (A[0] * (B[1] - C[1]) + B[0] * (C[1] - A[1]) + C[0] * (A[1] - B[1]))
            squares = [P[0] ** 2 + P[1] ** 2 for P in (A, B, C)]
            ox = Fraction(squares[0] * (B[1] - C[1]) + squares[1] * (C[1] - A[1]) + squares[2] * (A[1] - B[1]), d)
            oy = Fraction(squares[0] * (C[0] - B[0]) + squares[1] * (A[0] - C[0]) + squares[2] * (B[0] - A[0]), d)
            x, y = A[0] + B[0] + C[0] - 2 * ox, A[1] + B[1] + C[1] - 2 * oy
            print(f'({float(x):.3f}, {float(y):.3f})')""", """
            from sympy import Point, Triangle

            H = Triangle(Point(*A), Point(*B), Point(*C)).orthocenter
            print(f'({float(H.x):.3f}, {float(H.y):.3f})')"""),
        "incircle_radius": ("""
            import math

            a, b, c = math.dist(B, C), math.dist(C, A), math.dist(A, B)
            s = (a + b + c) / 2
            area = math.sqrt(s * (s - a) * (s - b) * (s - c))  # Heron's formula
            print(f'{area / s:.3f}')  # the inradius is the area over the semi-perimeter""", """
            import math

            # twice the area by the shoelace formula; the inradius is 2 * area / perimeter
            twice_area = abs((B[0] - A[0]) * (C[1] - A[1]) - (C[0] - A[0]) * (B[1] - A[1]))
            perimeter = sum(math.hypot(P[0] - Q[0], P[1] - Q[1]) for P, Q in ((A, B), (B, C), (C, A)))
            print(f'{twice_area / perimeter:.3f}')""", """
            from sympy import Point, Triangle

            # sympy signs the area by the orientation of A, B, C
            print(f"{abs(float(Triangle(Point(*A), Point(*B), Point(*C)).inradius)):.3f}")"""),
        "angle_measure": ("""
            import math

            # the angle between the vectors BA and BC, from their dot product
            u, v = (A[0] - B[0], A[1] - B[1]), (C[0] - B[0], C[1] - B[1])
            cosine = (u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v))
            print(f'{math.degrees(math.acos(max(-1.0, min(1.0, cosine)))):.2f}°')""", """
            import math

            # the difference of the directions of BA and BC, folded into [0, 180]
            turn = math.atan2(A[1] - B[1], A[0] - B[0]) - math.atan2(C[1] - B[1], C[0] - B[0])
            degrees = abs(math.degrees(turn)) % 360
            print(f'{min(degrees, 360 - degrees):.2f}°')""", """
            import math

            # the law of cosines with the side lengths: b^2 = a^2 + c^2 - 2ac cos(B)
            a, b, c = math.dist(B, C), math.dist(C, A), math.dist(A, B)
            print(f'{math.degrees(math.acos((a * a + c * c - b * b) / (2 * a * c))):.2f}°')"""),
    }
    code, *alternatives = (script(data, body) for body in programs[kind])
    return Solution(code=code, alternatives=tuple(alternatives), worked=GEOMETRY_WORKED[kind](**data))


def factor(number) -> str:
    """A number as a factor in a written product: negatives in parentheses."""
    return f"({number})" if number < 0 else f"{number}"


def line(a, b) -> str:
    """The left side of a line's equation a x + b y, signs written once."""
    return f"{a}x {'-' if b < 0 else '+'} {abs(b)}y"


def orthocenter_worked(A, B, C) -> str:
    from fractions import Fraction

    a1, b1, a2, b2 = C[0] - B[0], C[1] - B[1], C[0] - A[0], C[1] - A[1]
    c1, c2 = a1 * A[0] + b1 * A[1], a2 * B[0] + b2 * B[1]
    det = a1 * b2 - a2 * b1
    x, y = Fraction(c1 * b2 - c2 * b1, det), Fraction(a1 * c2 - a2 * c1, det)
    answer = f"({float(x):.3f}, {float(y):.3f})"
    return "\n".join([
        "The orthocenter H = (x, y) lies on the altitude from A (perpendicular to BC) and on the one from B "
        "(perpendicular to CA).",
        f"BC = C - B = ({a1}, {b1}), so the altitude from A is {line(a1, b1)} = "
        f"{a1}·{factor(A[0])} + {factor(b1)}·{factor(A[1])} = {c1}.",
        f"AC = C - A = ({a2}, {b2}), so the altitude from B is {line(a2, b2)} = "
        f"{a2}·{factor(B[0])} + {factor(b2)}·{factor(B[1])} = {c2}.",
        f"Cramer's rule: the determinant is {a1}·{factor(b2)} - {factor(a2)}·{factor(b1)} = {det}.",
        f"x = ({c1}·{factor(b2)} - {factor(c2)}·{factor(b1)}) / {factor(det)} = {x} ≈ {float(x):.3f}.",
        f"y = ({a1}·{factor(c2)} - {factor(a2)}·{factor(c1)}) / {factor(det)} = {y} ≈ {float(y):.3f}.",
        f"So the answer is {answer}"])


def incircle_radius_worked(A, B, C) -> str:
    sides = {name: math.dist(P, Q) for name, P, Q in (("a = BC", B, C), ("b = CA", C, A), ("c = AB", A, B))}
    a, b, c = sides.values()
    s = (a + b + c) / 2
    area = math.sqrt(s * (s - a) * (s - b) * (s - c))
    lengths = ", ".join(f"{name} = √{round(length ** 2)} ≈ {length:.4f}" for name, length in sides.items())
    return "\n".join([
        f"Side lengths: {lengths}.",
        f"Semi-perimeter s = (a + b + c) / 2 ≈ {s:.4f}.",
        f"Heron: area = √(s(s - a)(s - b)(s - c)) ≈ √({s:.4f} · {s - a:.4f} · {s - b:.4f} · {s - c:.4f})"
        f" ≈ {area:.4f}.",
        f"The inradius is area / s ≈ {area:.4f} / {s:.4f} ≈ {area / s:.5f}.",
        f"So the answer is {area / s:.3f}"])


def angle_measure_worked(A, B, C) -> str:
    u, v = (A[0] - B[0], A[1] - B[1]), (C[0] - B[0], C[1] - B[1])
    dot, lengths = u[0] * v[0] + u[1] * v[1], math.hypot(*u) * math.hypot(*v)
    cosine = max(-1.0, min(1.0, dot / lengths))
    degrees = math.degrees(math.acos(cosine))
    return "\n".join([
        f"The angle at B is between BA = A - B = {u} and BC = C - B = {v}.",
        f"BA · BC = {u[0]}·{factor(v[0])} + {u[1]}·{factor(v[1])} = {dot}.",
        f"|BA| = √{u[0] ** 2 + u[1] ** 2} ≈ {math.hypot(*u):.4f} and |BC| = √{v[0] ** 2 + v[1] ** 2} ≈ "
        f"{math.hypot(*v):.4f}, whose product is ≈ {lengths:.4f}.",
        f"cos B = {dot} / {lengths:.4f} ≈ {cosine:.5f}, so B = arccos({cosine:.5f}) ≈ {degrees:.3f}°.",
        f"So the answer is {degrees:.2f}°"])


GEOMETRY_WORKED = {"orthocenter": orthocenter_worked, "incircle_radius": incircle_radius_worked,
                   "angle_measure": angle_measure_worked}


def simple_integration(item):
    import sympy

    integrand, variable = item["metadata"]["integrand"], item["metadata"]["variable"]
    data = {"integrand": integrand, "variable": variable}
    symbolic = script(data, """
        import sympy

        x = sympy.Symbol(variable)
        print(f'{sympy.integrate(sympy.sympify(integrand, locals={variable: x}), x)} + C')""")
    power_rule = script(data, """
        import re
        from fractions import Fraction

        # each term is [-]coefficient*x**power/denominator, any part but one optional; by the power rule
        # c x^n integrates to c/(n+1) x^(n+1)
        term = re.compile(rf'(-?)(\\d*)\\*?({variable})?(?:\\*\\*(\\d+))?(?:/(\\d+))?')
        pieces = []
        for text in integrand.replace(' - ', ' + -').split(' + '):
            sign, number, x, power, denominator = term.fullmatch(text).groups()
            coefficient = Fraction(int(number or 1), int(denominator or 1)) * (-1 if sign else 1)
            n = (int(power) if power else 1) if x else 0
            c = coefficient / (n + 1)
            pieces.append(f'{c.numerator}*{variable}**{n + 1}' + (f'/{c.denominator}' if c.denominator > 1 else ''))
        print(' + '.join(pieces).replace('+ -', '- ') + ' + C')""")
    by_coefficients = script(data, """
        import sympy

        x = sympy.Symbol(variable)
        polynomial = sympy.Poly(sympy.sympify(integrand, locals={variable: x}), x)
        # raise every power by one and divide by the new power
        antiderivative = sum(sympy.Rational(c) / (n + 1) * x ** (n + 1) for (n,), c in polynomial.terms())
        print(f'{antiderivative} + C')""")
    x = sympy.Symbol(variable)
    steps = []
    for term in sympy.Add.make_args(sympy.sympify(integrand, locals={variable: x})):
        coefficient, power = term.as_coeff_exponent(x)
        steps.append(f"{term}: c = {coefficient}, n = {power}, so ({coefficient})/{power + 1}·{variable}**{power + 1}"
                     f" = {sympy.integrate(term, x)}")
    worked = "\n".join(["Integrate term by term with the power rule: c·x^n becomes c·x^(n+1)/(n+1).", *steps,
                        "Add the terms and the constant of integration.",
                        f"So the answer is {sympy.integrate(sympy.sympify(integrand, locals={variable: x}), x)} + C"])
    return Solution(code=symbolic, alternatives=(power_rule, by_coefficients), worked=worked)



def sequence_steps() -> dict:
    """The steps a rule is made of, by name: each maps a term (and the term before it) to a value."""
    steps = {f"add {p}": (lambda v, q, p=p: v + p) for p in range(-10, 11) if p}
    steps |= {f"multiply by {p}": (lambda v, q, p=p: v * p) for p in range(-10, 11) if p not in (0, 1)}
    steps |= {"square": lambda v, q: v * v, "halve": lambda v, q: v // 2, "add the previous term": lambda v, q: v + q}
    return steps


def sequence_rule(terms: list[int]) -> list[str]:
    """The names of a rule of up to four steps that turns each term into the next: every term's value grown step
    by step, breadth-first, each distinct row of values kept once."""
    steps, previous = sequence_steps(), [0] + terms[:-1]  # the term before each one (nothing before the first)
    layer = {tuple(terms): []}
    for _ in range(4):
        grown = {}
        for values, rule in layer.items():
            for name, step in steps.items():
                new = tuple(step(v, q) for v, q in zip(values, previous))
                if new not in grown and max(map(abs, new)) < 10 ** 7:
                    grown[new] = rule + [name]
        layer = grown
        fits = [values for values in layer if list(values[:-1]) == terms[1:]]
        if fits:
            return layer[fits[0]]


def apply_rule(rule: list[str], value: int, before: int) -> int:
    steps = sequence_steps()
    for name in rule:
        value = steps[name](value, before)
    return value


def number_sequence(item):
    terms = [int(term) for term in found(r"^(.*), \?", item["question"]).split(", ")]
    by_values = script_with_functions({"terms": terms}, sequence_steps, sequence_rule, apply_rule,
                                      last="print(apply_rule(sequence_rule(terms), terms[-1], terms[-2]))")
    by_rules = script_with_functions({"terms": terms}, sequence_steps, imports="import itertools", last="""
steps = list(sequence_steps().values())
previous = [0] + terms[:-1]  # the term before each one (nothing before the first)


def apply(rule, value, before):
    for step in rule:
        value = step(value, before)
    return value


# try every rule of one step, then two, ...: the first that maps each term onto the next
for length in range(1, 5):
    rules = itertools.product(steps, repeat=length)
    rule = next((r for r in rules if all(apply(r, a, q) == b for a, b, q in zip(terms, terms[1:], previous))), None)
    if rule:
        break
print(apply(rule, terms[-1], previous[-1]))""")
    return Solution(code=by_values, alternatives=(by_rules,), worked=number_sequence_worked(terms))


def number_sequence_worked(terms: list[int]) -> str:
    """The rule the first program finds, checked on every term and applied to the last one."""
    previous, rule = [0] + terms[:-1], sequence_rule(terms)

    def trace(value, before, first=False):
        shown, steps = [str(value)], sequence_steps()
        for name in rule:
            value = steps[name](value, before)
            added = " (none before the first term)" if first else f" ({before})"
            shown.append(f"{name}{added if name == 'add the previous term' else ''} → {value}")
        return ", ".join(shown), value

    lines = ["Look for a short rule (add or multiply by a small number, square, halve rounding down, add the "
             "previous term) that turns each term into the next.", f"The rule '{' then '.join(rule)}' fits:"]
    checks = [f"{trace(a, q, first=not i)[0]} ✓" for i, (a, q) in enumerate(zip(terms, previous))][:-1]
    lines += checks if len(checks) <= 5 else checks[:4] + [f"... and the other {len(checks) - 4} terms the same way."]
    text, answer = trace(terms[-1], previous[-1])
    return "\n".join(lines + [f"Applied to the last term: {text}.", f"So the answer is {answer}."])


WRITERS = {"base_conversion": base_conversion, "basic_arithmetic": basic_arithmetic,
           "prime_factorization": prime_factorization, "number_sorting": number_sorting,
           "products": products, "decimal_chain_sum": decimal_chain_sum,
           "decimal_arithmetic": decimal_arithmetic, "power_function": power_function,
           "bitwise_arithmetic": bitwise_arithmetic, "complex_arithmetic": complex_arithmetic,
           "simple_equations": simple_equations, "count_bits": count_bits, "count_primes": count_primes,
           "number_filtering": number_filtering, "number_format": number_format,
           "leg_counting": leg_counting, "caesar_cipher": caesar_cipher,
           "letter_counting": letter_counting, "word_sequence_reversal": word_sequence_reversal,
           "spiral_matrix": spiral_matrix, "rotten_oranges": rotten_oranges,
           "largest_island": largest_island, "maze": maze, "game_of_life_halting": game_of_life_halting,
           "course_schedule": course_schedule, "jugs": jugs, "quantum_lock": quantum_lock, "ab": ab,
           "bf": bf, "isomorphic_strings": isomorphic_strings, "ransom_note": ransom_note,
           "group_anagrams": group_anagrams, "binary_alternation": binary_alternation,
           "palindrome_generation": palindrome_generation, "string_manipulation": string_manipulation,
           "polynomial_multiplication": polynomial_multiplication, "polynomial_equations": polynomial_equations,
           "countdown": countdown, "time_intervals": time_intervals,
           "calendar_arithmetic": calendar_arithmetic,
           "graph_color": graph_color, "color_cube_rotation": color_cube_rotation,
           "advanced_geometry": advanced_geometry, "simple_integration": simple_integration,
           "number_sequence": number_sequence}
