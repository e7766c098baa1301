import { expect } from 'chai';
import { bindArguments, compileParams, TaskArgumentsError } from '../task-params.js';
import { defineTask } from '../task-contract.js';

const SHIP = compileParams('orders.ship', ['order_id', 'note?']);

function refusal(run: () => unknown): TaskArgumentsError {
  try {
    run();
  } catch (error) {
    if (error instanceof TaskArgumentsError) return error;
    throw error;
  }
  return expect.fail('expected a TaskArgumentsError');
}

describe('named task parameters', () => {
  describe('defineTask', () => {
    it('keeps the names on the contract, `?` marking the optional ones', () => {
      const ship = defineTask<[orderId: number, note?: string], string>('orders.ship', {
        params: ['order_id', 'note?'],
      });
      expect(ship.params).to.deep.equal([
        { name: 'order_id', optional: false },
        { name: 'note', optional: true },
      ]);
      expect(Object.isFrozen(ship.params)).to.equal(true);
    });

    it('has no params without the option (kwargs then only reach ctx.kwargs)', () => {
      expect(defineTask<[x: number], number>('tasks.x')).to.deep.equal({ name: 'tasks.x' });
    });

    it('refuses names that repeat, are not identifiers, or a required one after an optional one', () => {
      expect(() => defineTask('t.a', { params: ['a', 'a'] })).to.throw(TypeError, "'a' is named twice");
      expect(() => defineTask('t.b', { params: ['order id'] })).to.throw(TypeError, 'invalid parameter name');
      expect(() => defineTask('t.c', { params: ['a?', 'b'] })).to.throw(
        TypeError,
        "required parameter 'b' follows an optional one",
      );
    });

    it('keeps the names in step with the argument tuple at compile time', () => {
      defineTask<[orderId: number, note?: string]>('t.ok', { params: ['order_id', 'note?'] });
      // @ts-expect-error an optional element's name must end in '?'
      defineTask<[orderId: number, note?: string]>('t.d', { params: ['order_id', 'note'] });
      // @ts-expect-error one name per element
      defineTask<[orderId: number, note?: string]>('t.e', { params: ['order_id'] });
      // @ts-expect-error no more names than elements
      defineTask<[orderId: number]>('t.f', { params: ['order_id', 'extra'] });
    });
  });

  describe('bindArguments (as Python binds a call)', () => {
    it('binds kwargs by name, positional args first, and leaves a missing optional one undefined', () => {
      expect(bindArguments('orders.ship', SHIP, [], { order_id: 5 })).to.deep.equal([5, undefined]);
      expect(bindArguments('orders.ship', SHIP, [5], { note: 'fragile' })).to.deep.equal([5, 'fragile']);
      expect(bindArguments('orders.ship', SHIP, [], { note: 'x', order_id: 7 })).to.deep.equal([7, 'x']);
      expect(bindArguments('orders.ship', SHIP, [5, 'y'], {})).to.deep.equal([5, 'y']);
    });

    it('makes a left-out optional parameter a real undefined, not a hole', () => {
      const bound = bindArguments('t', compileParams('t', ['a', 'b?', 'c?']), [1], { c: 3 });
      expect(bound).to.have.length(3);
      expect(1 in bound).to.equal(true);
      expect(bound).to.deep.equal([1, undefined, 3]);
    });

    it('refuses a parameter given both positionally and by name', () => {
      const error = refusal(() => bindArguments('orders.ship', SHIP, [5], { order_id: 6 }));
      expect(error.message).to.equal("orders.ship() got multiple values for argument 'order_id'");
      expect([error.code, error.excType, error.excModule]).to.deep.equal([
        'TASK_ARGUMENTS_INVALID',
        'TypeError',
        'builtins',
      ]);
      expect(error).to.be.instanceOf(TypeError);
    });

    it('refuses a keyword that names no parameter', () => {
      expect(refusal(() => bindArguments('orders.ship', SHIP, [], { order_id: 5, orderId: 5 })).message).to.equal(
        "orders.ship() got an unexpected keyword argument 'orderId'",
      );
    });

    it('refuses too many positional arguments and a missing required one', () => {
      expect(refusal(() => bindArguments('orders.ship', SHIP, [1, 2, 3], {})).message).to.equal(
        'orders.ship() takes 2 positional arguments but 3 were given',
      );
      expect(refusal(() => bindArguments('orders.ship', SHIP, [], { note: 'n' })).message).to.equal(
        "orders.ship() missing 1 required argument: 'order_id'",
      );
    });
  });
});
