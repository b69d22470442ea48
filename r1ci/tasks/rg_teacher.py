"""The scripted teacher's program writers for Reasoning-Gym tasks, keyed by task name (conventions:
r1ci.tasks.teaching).

Most writers copy the question's values from the item's metadata where the question prints them the same
way, and otherwise cut them out of the question text (`found`); `script` lays out every script the same
way: the body's leading imports, the data block, a blank line, the computation. Not here: the other 44
Reasoning-Gym tasks (the 21 of the test split, and 23 train tasks that no short program solves from the
question alone).
"""

import math
import re
import textwrap

from r1ci.tasks.teaching import Solution, found, meta, script


def grid_rows(matrix) -> list[str]:
    """A matrix's rows as the question prints them: numbers separated by spaces."""
    return [" ".join(map(str, row)) for row in matrix]


# Numbers and arithmetic ------------------------------------------------------------------------------


def base_conversion(item):
    source, target = meta(item, "source_base"), meta(item, "target_base")
    # The question names bases 2, 8 and 16 in words ("the hexadecimal number 25e"), others as "base-7".
    written = lambda base: f"{base}" if f"base-{base}" in item["question"] else None
    data = {"number": str(item["metadata"]["source_repr"])}
    data |= {"source_base": source} if written(source) else {}
    data |= {"target_base": target} if written(target) else {}
    body = [] if written(source) else [f"source_base = {source}  # {BASE_NAMES.get(source, '')}"]
    body += [] if written(target) else [f"target_base = {target}  # {BASE_NAMES.get(target, '')}"]
    return Solution(code=script(data, "\n".join(body) + textwrap.dedent("""
        value = int(number, source_base)
        digits = '0123456789abcdefghijklmnopqrstuvwxyz'
        out = ''
        while value:
            out = digits[value % target_base] + out
            value //= target_base
        print(out or '0')""")))


BASE_NAMES = {2: "binary", 8: "octal", 10: "decimal", 16: "hexadecimal"}


def basic_arithmetic(item):
    return Solution(code=script({"expression": item["metadata"]["expression"]}, """
        from fractions import Fraction

        result = eval(expression.replace('/', '*Fraction(1)/'))
        print(result.numerator if result.denominator == 1 else float(result))"""))


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
    expression = item["metadata"]["expression"]
    return Solution(code=script({"expression": expression}, """
        from decimal import Decimal

        # Decimal adds the written digits exactly, where floats would leave ...0000001 tails
        terms = expression.replace('- ', '-').replace('+ ', '').split()
        print(sum(Decimal(term) for term in terms))"""))


def decimal_arithmetic(item):
    expression = found(r"\n(.*) = \?", item["question"])
    return Solution(code=script({"expression": expression, "significant_digits": 12}, """
        import re
        from decimal import ROUND_HALF_UP, Decimal, getcontext

        getcontext().prec = significant_digits
        getcontext().rounding = ROUND_HALF_UP
        # every number becomes a Decimal, so each step is rounded to the significant digits the question asks
        exact = re.sub(r'(\\d+(?:\\.\\d+)?)', r"Decimal('\\1')", expression)
        print(eval(exact))"""))


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
    return Solution(code=script({"problem": problem}, """
        # Python integers are arbitrary precision and signed, as the question assumes; hex() writes -0x3
        print(hex(eval(problem)))"""))


def complex_arithmetic(item):
    a, op, b = re.search(r"\((.+?)\) (\S) \((.+?)\)", item["question"]).groups()
    return Solution(code=script({"a": a, "op": op, "b": b}, """
        def parse(text):
            return complex(text.replace(' ', '').replace('i', 'j'))

        x, y = parse(a), parse(b)
        z = {'+': x + y, '-': x - y, '×': x * y, '÷': x / y}[op]
        real, imag = round(z.real, 6) + 0.0, round(z.imag, 6) + 0.0  # drop float noise and -0.0
        if imag == 0:
            print(real)
        elif real == 0:
            print(f'{imag}i')
        else:
            print(f"{real} {'+' if imag > 0 else '-'} {abs(imag)}i")"""))


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
    ones = bin(n).count("1")
    return Solution(code=script({"n": n}, "print(bin(n).count('1'))"),
                    check=script({"n": n}, """
                        count, m = 0, n
                        while m:
                            m &= m - 1  # clears the lowest 1 bit
                            count += 1
                        assert count == int(answer), f'{count} ones'
                        print('check passed')"""),
                    worked=f"{n} in binary is {bin(n)[2:]}, which has {ones} ones. The answer is {ones}.")


def count_primes(item):
    start, end = meta(item, "start"), meta(item, "end")
    return Solution(code=script({"start": start, "end": end}, """
        sieve = [True] * (end + 1)
        sieve[:2] = [False] * min(2, end + 1)
        for p in range(2, int(end ** 0.5) + 1):
            if sieve[p]:
                sieve[p * p::p] = [False] * len(range(p * p, end + 1, p))
        print(sum(sieve[start:end + 1]))"""),
                    check=script({"start": start, "end": end}, """
                        def is_prime(n):
                            return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))

                        count = sum(is_prime(n) for n in range(start, end + 1))
                        assert count == int(answer), f'trial division counts {count}'
                        print('check passed')"""))


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
    shift = meta(item, "rotation")
    return Solution(code=script({"cipher": cipher}, """
        # English letter frequencies (percent); the right shift makes the text look most like English
        freq = dict(zip('ETAOINSHRDLCUMWFGYPBVKJXQZ',
                        [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2,
                         2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07]))
        common = {'THE', 'AND', 'OF', 'TO', 'A', 'IN', 'IS', 'IT', 'YOU', 'THAT', 'HE', 'WAS', 'FOR', 'ON',
                  'ARE', 'WITH', 'AS', 'I', 'HIS', 'THEY', 'BE', 'AT', 'ONE', 'HAVE', 'THIS', 'FROM', 'OR',
                  'HAD', 'BY', 'NOT', 'BUT', 'WHAT', 'ALL', 'WERE', 'WE', 'WHEN', 'YOUR', 'CAN', 'SAID',
                  'THERE', 'AN', 'EACH', 'WHICH', 'SHE', 'DO', 'HOW', 'THEIR', 'IF', 'WILL', 'NO', 'SO',
                  'MR', 'MY', 'ME', 'HER', 'HIM', 'BEEN', 'OUT', 'UP', 'ANY', 'THEN', 'THEM', 'INTO'}

        def shift_back(text, k):
            return ''.join(chr((ord(c) - 65 - k) % 26 + 65) if c.isalpha() else c for c in text)

        def score(text):
            words = text.split()
            return sum(freq[c] for c in text if c.isalpha()) / len(text) + 5 * sum(w in common for w in words)

        print(max((shift_back(cipher, k) for k in range(26)), key=score))"""),
                    check=script({"cipher": cipher}, """
                        # the answer must encrypt back to the cipher text with a single shift
                        shifts = {(ord(c) - ord(p)) % 26 for p, c in zip(answer, cipher) if c.isalpha()}
                        assert len(answer) == len(cipher) and len(shifts) == 1, 'not one Caesar shift of the text'
                        assert all((p == ' ') == (c == ' ') for p, c in zip(answer, cipher)), 'spacing differs'
                        print('check passed')"""),
                    worked=f"Shifting every letter back by {shift} turns the cipher into English: "
                           f"{item['metadata']['clear_text']}.")


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
    return Solution(code=script({"rows": grid_rows(meta(item, "grid"))}, """
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
        print(best)"""))


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
    return Solution(code=script({"rows": rows, "steps": steps}, """
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
        print(halted)"""))


def course_schedule(item):
    total = int(found(r"a total of (\d+) courses", item["question"]))
    prerequisites = meta(item, "prerequisites")
    return Solution(code=script({"courses": total, "prerequisites": prerequisites}, """
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
        print(taken == courses)"""),
                    check=script({"courses": total, "prerequisites": prerequisites}, """
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


def jugs(item):
    puzzle = meta(item, "puzzle")
    capacities = {chr(65 + i): c for i, c in enumerate(puzzle["jug_capacities"])}
    data = {"capacities": capacities, "target": puzzle["target"]}
    return Solution(code=script(data, """
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
                    queue.append(nxt)"""),
                    check=script(data, """
        import json

        water = {n: 0 for n in capacities}
        for move in json.loads(answer):  # replay the moves
            verb, arg = move.split()
            if verb == 'fill':
                water[arg] = capacities[arg]
            elif verb == 'empty':
                water[arg] = 0
            else:
                a, b = arg.split('->')
                poured = min(water[a], capacities[b] - water[b])
                water[a] -= poured
                water[b] += poured
        assert target in water.values(), f'no jug holds {target}: {water}'
        print('check passed')"""))


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
    return Solution(code=script({"program": program}, """
        rules = {('A#', '#A'): [], ('A#', '#B'): ['#B', 'A#'], ('B#', '#A'): ['#A', 'B#'], ('B#', '#B'): []}
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
        print(' '.join(tokens))"""),
                    check=script({"program": program}, """
        before, after = program.split(), answer.split()
        assert not any(a[1] == '#' and b[0] == '#' for a, b in zip(after, after[1:])), 'a facing pair is left'
        for x in 'AB':  # each rule keeps (x# count) - (#x count)
            assert before.count(x + '#') - before.count('#' + x) == after.count(x + '#') - after.count('#' + x)
        print('check passed')"""))


def bf(item):
    program = item["metadata"]["bf_program"]
    return Solution(code=script({"program": program}, """
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
        print(''.join(out))"""))


# Strings, sets and counting puzzles ------------------------------------------------------------------


def isomorphic_strings(item):
    s, t = meta(item, "words")
    pairs = list(dict.fromkeys(zip(s, t)))
    clash = next((f"'{a}' would map to both '{b}' and '{d}'" if a == c else f"'{a}' and '{c}' would both map to '{b}'"
                  for i, (a, b) in enumerate(pairs) for c, d in pairs[i + 1:] if (a == c) != (b == d)), None)
    verdict = ("the lengths differ, so False" if len(s) != len(t) else f"{clash}, so False" if clash
               else "every character maps to one character and none is shared, so True")
    return Solution(code=script({"s": s, "t": t}, """
        # one-to-one: each character of s always meets the same character of t, and no two share one
        print(len(s) == len(t) and len(set(s)) == len(set(t)) == len(set(zip(s, t))))"""),
                    worked=f"Pairing '{s}' with '{t}' position by position: "
                           + ", ".join(f"{a}→{b}" for a, b in pairs) + f". Here {verdict}.")


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
    return Solution(code=script({"words": meta(item, "words")}, """
        import json

        groups = {}
        for word in words:
            groups.setdefault(''.join(sorted(word)), []).append(word)
        print(json.dumps(sorted(sorted(g) for g in groups.values())))"""),
                    check=script({"words": meta(item, "words")}, """
        import json

        groups = json.loads(answer)
        assert sorted(w for g in groups for w in g) == sorted(words), 'not a partition of the words'
        keys = [{''.join(sorted(w)) for w in g} for g in groups]
        assert all(len(k) == 1 for k in keys), 'a group mixes letters'
        assert len({k.pop() for k in keys}) == len(groups), 'anagrams split across groups'
        print('check passed')"""))


def binary_alternation(item):
    string = item["metadata"]["string"]
    n, ones = len(string), string.count("1")
    options = {p: sum(a != b for a, b in zip(string, p)) // 2 for p in (("01" * n)[:n], ("10" * n)[:n])
               if p.count("1") == ones}
    best = min(options.values(), default=-1)
    reason = ("; ".join(f"against {p}, {2 * k} places differ, so {k} swaps" for p, k in options.items())
              if options else "no alternating string has these counts, so it is impossible")
    return Solution(code=script({"s": string}, """
        ones = s.count('1')
        best = -1
        for pattern in (('01' * len(s))[:len(s)], ('10' * len(s))[:len(s)]):  # the two alternating strings
            if pattern.count('1') == ones:
                swaps = sum(a != b for a, b in zip(s, pattern)) // 2  # each swap fixes two places
                best = swaps if best < 0 else min(best, swaps)
        print(best)"""),
                    worked=f"The string has {n - ones} zeros and {ones} ones; {reason}. The answer is {best}.")


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
    return Solution(code=script({"numbers": numbers, "target": target}, """
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
        print(text(tree))"""),
                    check=script({"numbers": numbers, "target": target}, """
        import re
        from fractions import Fraction

        assert sorted(map(int, re.findall(r'\\d+', answer))) == sorted(numbers), 'not each number once'
        value = eval(re.sub(r'(\\d+)', r'Fraction(\\1)', answer))
        assert value == target, f'it makes {value}'
        print('check passed')"""))


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
    """Seven kinds of question; each gets its data cut out of the first sentence and its own few lines."""
    kind, sentence = item["metadata"]["task"], re.split(r"[?.] ", item["question"])[0]
    dates = re.findall(DATE, sentence)
    if kind == "is_leap_year":
        data = {"year": int(found(r"(\d{4})", sentence))}
        body = "print('Yes' if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 'No')"
    elif kind == "weekday_of_date":
        data = {"date": dates[0]}
        body = "print(day(date).strftime('%A'))"
    elif kind == "weekday_of_date_from_first_date":
        data = {"first_day": found(rf"({WEEKDAYS})", sentence), "date": dates[-1]}
        body = """
            # the question gives no year; count the days from January 1 in a common (non-leap) year
            offset = (day(date + ', 2023') - day('January 1, 2023')).days
            names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
            print(names[(names.index(first_day) + offset) % 7])"""
    elif kind == "weekday_offset":
        days = int(found(r"(\d+)(?:-day| days)", sentence))
        data = {"start": dates[0], "days": days, "backward": bool(re.search(r"backward|ago|before", sentence))}
        body = "print((day(start) + timedelta(days=-days if backward else days)).strftime('%A'))"
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
    else:  # count_days, count_business_days: the start date may leave its year to the end date
        data = {"start": dates[0], "end": dates[1]}
        counted = "d.weekday() < 5"
        if kind == "count_days":
            data["weekday"] = found(rf"({WEEKDAYS})(?!,)", sentence)
            counted = "d.strftime('%A') == weekday"
        body = f"""
            last = day(end)
            first = day(start if ',' in start else f'{{start}}, {{last.year}}')
            if last < first:  # the range runs into the next year
                last = last.replace(year=last.year + 1)
            days = [first + timedelta(days=k) for k in range((last - first).days + 1)]  # both ends included
            print(sum({counted} for d in days))"""
    return Solution(code=script(data, body if kind == "is_leap_year" else DAY + textwrap.dedent(body)))


DAY = """
from datetime import datetime, timedelta

def day(text):
    for fmt in ('%B %d, %Y', '%m/%d/%Y'):  # how the question writes dates
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
"""


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
           "calendar_arithmetic": calendar_arithmetic}
